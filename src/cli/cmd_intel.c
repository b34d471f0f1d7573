/* cmd_intel.c — `spoor intel <subcommand>`: a table of intelligence
 * subcommands (lookup here; others are added beside it). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} intel_cmds[] = {
    {"lookup", cmd_intel_lookup, "what spoor knows of IPs, domains, URLs, hashes: geo, ASN, IOC hits"},
};

static void intel_usage(FILE *f)
{
    fputs("usage: spoor intel <subcommand> [options] ...\n\nsubcommands:\n", f);
    for (size_t i = 0; i < sizeof intel_cmds / sizeof *intel_cmds; i++)
        fprintf(f, "  %-10s %s\n", intel_cmds[i].name, intel_cmds[i].help);
    fputs("\nRun 'spoor intel <subcommand> --help' for its options.\n", f);
}

int cmd_intel(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        intel_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    for (size_t i = 0; i < sizeof intel_cmds / sizeof *intel_cmds; i++)
        if (!strcmp(argv[1], intel_cmds[i].name)) return intel_cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "spoor intel: unknown subcommand '%s'\n\n", argv[1]);
    intel_usage(stderr);
    return EX_USAGE;
}
