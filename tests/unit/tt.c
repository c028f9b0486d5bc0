/*
 * tt.c - unit-test runner (see tt.h). The registry is generated.
 */
#include "tt.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct tt_case {
    const char *name;
    void (*fn)(void);
} tt_case;

extern const tt_case tt_cases[];
extern const size_t tt_ncases;

static int current_failed;
static char tmp_root[256];
static char tmp_dir[300];
static unsigned tmp_seq;

void tt_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: check failed: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    current_failed = 1;
}

int tt_failed(void)
{
    return current_failed;
}

const char *tt_datadir(void)
{
    const char *d = getenv("TT_DATADIR");
    return d ? d : "tests/data";
}

const char *tt_tmpdir(void)
{
    if (!tmp_root[0]) {
        snprintf(tmp_root, sizeof(tmp_root), "/tmp/trawl-unit-XXXXXX");
        if (!mkdtemp(tmp_root)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/%u", tmp_root, ++tmp_seq);
    if (mkdir(tmp_dir, 0700) != 0) {
        perror("mkdir");
        exit(1);
    }
    return tmp_dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static bool selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (strncmp(name, argv[i], strlen(argv[i])) == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < tt_ncases; i++) {
        if (!selected(tt_cases[i].name, argc, argv))
            continue;
        current_failed = 0;
        tt_cases[i].fn();
        if (current_failed) {
            fprintf(stderr, "FAIL %s\n", tt_cases[i].name);
            failed++;
        } else {
            if (getenv("TT_VERBOSE"))
                fprintf(stderr, "ok   %s\n", tt_cases[i].name);
            passed++;
        }
    }
    if (tmp_root[0])
        nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
