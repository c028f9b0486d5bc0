/*
 * main.c - the trawl binary: git-style dispatch to one cmd_<name>() per
 * subcommand (see commands.h).
 */
#include "core/common.h"

#include "cli/commands.h"
#include "trawl/log.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
#define TR_CMD_ROW(name, summary) { #name, cmd_##name, summary },
    TR_COMMANDS(TR_CMD_ROW)
#undef TR_CMD_ROW
};

static void usage(FILE *f)
{
    fprintf(f, "usage: trawl [--version] [--help] [-v|-q] <command> [<args>]\n\n"
               "trawl hunts the logs of many organisations with Sigma rules and indicator\n"
               "feeds, and tracks the campaigns it finds across them.\n\ncommands:\n");
    for (size_t i = 0; i < TR_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s  %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-10s  %s\n", "help", "show help for a command: trawl help <command>");
    fprintf(f, "  %-10s  %s\n", "version", "print the version");
    fprintf(f, "\nglobal options:\n"
               "  -v, --verbose  more diagnostics (repeat for debug)\n"
               "  -q, --quiet    errors only\n"
               "  --version      print the version\n");
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < TR_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int print_version(void)
{
    printf("trawl %s\n", tr_version());
    return 0;
}

int main(int argc, char **argv)
{
    int i = 1;
    int level = TR_LOG_WARN;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0)
            return print_version();
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
            level = level < TR_LOG_DEBUG ? level + 1 : level;
        else if (strcmp(a, "-vv") == 0)
            level = TR_LOG_DEBUG;
        else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
            level = TR_LOG_ERROR;
        else {
            fprintf(stderr, "trawl: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    tr_log_set_level((tr_log_level)level);
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[i];
    if (strcmp(name, "version") == 0)
        return print_version();
    if (strcmp(name, "help") == 0) {
        if (i + 1 >= argc) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i + 1], "version") == 0) {
            printf("usage: trawl version (or trawl --version)\n\nPrint the version.\n");
            return 0;
        }
        if (strcmp(argv[i + 1], "help") == 0) {
            usage(stdout);
            return 0;
        }
        const command *c = find(argv[i + 1]);
        if (!c) {
            fprintf(stderr, "trawl: no such command '%s'\n", argv[i + 1]);
            return 2;
        }
        char *hargv[] = { argv[i + 1], (char *)"--help", NULL };
        return c->fn(2, hargv);
    }
    const command *c = find(name);
    if (!c) {
        fprintf(stderr, "trawl: '%s' is not a trawl command (see trawl --help)\n", name);
        return 2;
    }
    return c->fn(argc - i, argv + i);
}
