/* main.c — spoor: the command-line front end of libspoor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/buf.h"

static const char usage[] =
    "usage: spoor <command> [options] ...\n"
    "\n"
    "Threat hunting and attribution over Windows event logs and other evidence.\n"
    "\n"
    "commands:\n"
    "  hunt         run Sigma rules over evidence: summary and timeline\n"
    "  logons       logon summary, account changes and operator hours\n"
    "  evtx dump    decode EVTX files to JSON lines, JSON or XML\n"
    "  evtx info    header facts, chunk and record counts, damage found\n"
    "  rules check  load and compile Sigma rules, report rejections\n"
    "  intel stats  the ATT&CK knowledge base and actor profiles: counts\n"
    "  intel lookup what spoor knows of an IP, domain, URL or hash (geo, ASN, IOCs)\n"
    "  logs parse   read web, Zeek and Linux line logs as events (JSON lines)\n"
    "  attribute    who is most likely behind it: hypotheses, evidence, confidence\n"
    "  bench attribution  attribution accuracy on ATT&CK (leave-one-out), calibration\n"
    "  version      print the version\n"
    "\n"
    "Run 'spoor <command> --help' for a command's options.\n"
    "\n"
    "exit codes: 0 success (hunt: no detections), 1 detections, 2 usage error,\n"
    "            3 nothing could be read, 4 some inputs could not be read\n";

void cli_term_init(cli_term *t)
{
    const char *nc = getenv("NO_COLOR");
    int nocolor = nc && *nc;
    t->color_out = !nocolor && isatty(1);
    t->color_err = !nocolor && isatty(2);
    t->progress = isatty(2);
}

int cli_parse_uint(const char *s, unsigned *out)
{
    if (!s || !*s) return -1;
    char *e;
    unsigned long v = strtoul(s, &e, 10);
    if (*e || v > 1000000) return -1;
    *out = (unsigned)v;
    return 0;
}

void cli_json_str(sp_buf *b, const char *s)
{
    sp_buf_putc(b, '"');
    sp_json_escape(b, s, strlen(s));
    sp_buf_putc(b, '"');
}

void cli_diag(void *user, const char *file, uint64_t off, sp_damage kind, const char *msg)
{
    (void)user;
    if (off == UINT64_MAX)
        fprintf(stderr, "spoor: %s: %s [%s]\n", file, msg, sp_damage_name(kind));
    else
        fprintf(stderr, "spoor: %s: offset 0x%llx: %s [%s]\n", file, (unsigned long long)off, msg,
                sp_damage_name(kind));
}

static int run(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
        printf("spoor %s\n", SP_VERSION);
        return EX_OK;
    }
    if (!strcmp(argv[1], "hunt")) return cmd_hunt(argc - 1, argv + 1);
    if (!strcmp(argv[1], "logons")) return cmd_logons(argc - 1, argv + 1);
    if (!strcmp(argv[1], "evtx")) return cmd_evtx(argc - 1, argv + 1);
    if (!strcmp(argv[1], "rules")) return cmd_rules(argc - 1, argv + 1);
    if (!strcmp(argv[1], "intel")) return cmd_intel(argc - 1, argv + 1);
    if (!strcmp(argv[1], "logs")) return cmd_logs(argc - 1, argv + 1);
    if (!strcmp(argv[1], "attribute")) return cmd_attribute(argc - 1, argv + 1);
    if (!strcmp(argv[1], "bench")) return cmd_bench(argc - 1, argv + 1);
    fprintf(stderr, "spoor: unknown command '%s'\n\n%s", argv[1], usage);
    return EX_USAGE;
}

int main(int argc, char **argv)
{
    int rc = run(argc, argv);
    /* the EVTX worker threads and memory kept between scans
     * (sp_evtx_release_memory): the process's exit ends and frees them,
     * except where every allocation must be answered for (cli.h) */
    if (CLI_FREE_AT_EXIT) sp_evtx_release_memory();
    return rc;
}
