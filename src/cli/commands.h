/*
 * commands.h - the subcommands of the trawl binary, one line each.
 * X(name, summary): cmd_<name>() lives in cmd_<name>.c.
 */
#ifndef TR_SRC_CLI_COMMANDS_H
#define TR_SRC_CLI_COMMANDS_H

#define TR_COMMANDS(X)                                                                    \
    X(hunt, "run Sigma rules and indicator feeds over logs; print the detections")        \
    X(cat, "print parsed, normalised events as JSON lines (debug the mappings)")          \
    X(query, "list the detections of a store (trawl hunt --store), filtered")          \
    X(rules, "check, list and document Sigma rules (check|list|modifiers)")             \
    X(sim, "generate a simulated fleet with its ground truth (apt41-2020)")              \
    X(ioc, "check or list indicator feeds (plain, CSV, STIX, MISP, Zeek intel)")              \
    X(campaigns, "turn detections into campaigns: actors, stages, tenants, reports")          \
    X(serve, "serve a store over HTTP: JSON API, metrics and the campaign dashboard")         \
    X(kafka, "Kafka tools: produce files to topics, a group's lag, a mock cluster")

#define TR_CMD_DECL(name, summary) int cmd_##name(int argc, char **argv);
TR_COMMANDS(TR_CMD_DECL)
#undef TR_CMD_DECL

#endif
