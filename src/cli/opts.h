/*
 * opts.h - declarative command-line options; --help is generated from the
 * same table that parses, so it cannot drift from the truth.
 */
#ifndef TR_SRC_CLI_OPTS_H
#define TR_SRC_CLI_OPTS_H

#include "core/common.h"

typedef enum opt_kind {
    OPT_FLAG,   /* bool, no argument */
    OPT_STRING, /* const char *, last one wins */
    OPT_LIST,   /* appends to a string list (repeatable) */
    OPT_INT,    /* long long */
    OPT_END
} opt_kind;

typedef struct opt_list {
    const char **v;
    size_t n;
} opt_list;

typedef struct opt {
    opt_kind kind;
    char shortname;      /* 0 for none */
    const char *name;    /* long name without dashes */
    const char *argname; /* shown in help ("FILE"); NULL for flags */
    void *target;        /* bool *, const char **, opt_list *, long long * */
    const char *help;
} opt;

#define OPT_FLAG(s, l, t, h) { OPT_FLAG, s, l, NULL, t, h }
#define OPT_STRING(s, l, a, t, h) { OPT_STRING, s, l, a, t, h }
#define OPT_LIST(s, l, a, t, h) { OPT_LIST, s, l, a, t, h }
#define OPT_INT(s, l, a, t, h) { OPT_INT, s, l, a, t, h }
#define OPT_END() { OPT_END, 0, NULL, NULL, NULL, NULL }

typedef struct cmd_usage {
    const char *name;     /* "hunt" */
    const char *synopsis; /* "[-r RULES]… PATH…" */
    const char *summary;  /* one line */
    const char *details;  /* paragraphs after the options, or NULL */
} cmd_usage;

/* Parses argv[1..argc) (argv[0] is the subcommand). Positional arguments are
 * collected in *pos (borrowed from argv). "-h"/"--help" prints help and sets
 * *help_shown. Returns 0, or 2 after printing a usage error. */
int opts_parse(const cmd_usage *u, const opt *table, int argc, char **argv, opt_list *pos,
               bool *help_shown);
void opts_help(FILE *f, const cmd_usage *u, const opt *table);
void opt_list_free(opt_list *l);

#endif
