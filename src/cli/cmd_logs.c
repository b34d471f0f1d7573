/* cmd_logs.c — `spoor logs parse`: read web, Zeek and Linux line logs with
 * libspoor's log readers, print the events as JSON lines and account for
 * every line (event / not an event / malformed with a reason). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "cli.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/limits.h"
#include "logs/logs.h"

static const char usage_logs[] =
    "usage: spoor logs parse [--json] [--format NAME] [--tz-offset MIN] [-q] FILE...\n"
    "\n"
    "Parse line logs into events: web access logs (Apache/nginx combined and\n"
    "common, Jetty/Zimbra, IIS W3C), Zeek (TSV and JSON), Linux syslog/auth.log\n"
    "and auditd.  The format is recognised from each file's first lines; .gz\n"
    "files are read through.  Every line is counted as an event, not an event\n"
    "(blank, comment, header) or malformed (the reason is printed).\n"
    "\n"
    "options:\n"
    "  --json           print each event as one JSON object per line on stdout\n"
    "                   (per-file counts then go to stderr)\n"
    "  --format NAME    do not detect: web_combined, web_common, web_iis_w3c,\n"
    "                   zeek_tsv, zeek_json, linux_auth, linux_audit\n"
    "  --tz-offset MIN  local time offset (minutes east of UTC) of syslog time\n"
    "                   stamps without a zone (default 0); their year is taken\n"
    "                   from the file's modification time\n"
    "  -q, --quiet      no per-line problem reports\n"
    "\n"
    "Per file: FILE: FORMAT: N lines, N events, N not events, N malformed\n"
    "\n"
    "exit codes: 0 success, 2 usage, 3 nothing could be read, 4 some files\n"
    "            could not be read or were not recognised\n";

typedef struct lreader {
    gzFile gz;
    char *buf;
    size_t cap, len, pos;
    int eof;
} lreader;

/* next line (without its end) in *line, *len; returns 1, 0 at the end, -1 when
 * the line is longer than the limit (it is skipped) */
static int next_line(lreader *r, const char **line, size_t *len)
{
    size_t skipped = 0;
    for (;;) {
        char *nl = r->len > r->pos ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
        if (nl || (r->eof && r->len > r->pos)) {
            size_t e = nl ? (size_t)(nl - r->buf) : r->len;
            *line = r->buf + r->pos;
            *len = e - r->pos;
            r->pos = nl ? e + 1 : r->len;
            if (skipped) return -1;
            return 1;
        }
        if (r->eof) return skipped ? -1 : 0;
        if (r->pos) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->pos = 0;
        }
        if (r->len > SP_LOG_MAX_LINE) {   /* overlong: drop what we have, keep reading to its end */
            skipped += r->len;
            r->len = 0;
        }
        if (r->cap - r->len < 65536) {
            size_t nc = r->cap ? r->cap * 2 : 1 << 20;
            char *nb = realloc(r->buf, nc);
            if (!nb) return 0;
            r->buf = nb;
            r->cap = nc;
        }
        int got = gzread(r->gz, r->buf + r->len, (unsigned)(r->cap - r->len));
        if (got <= 0) r->eof = 1;
        else r->len += (size_t)got;
    }
}

typedef struct counts { uint64_t lines, events, skipped, malformed; } counts;

static int parse_file(const char *path, int json, sp_logfmt force, int tz, int quiet, sp_buf *out, counts *c,
                      const char **fmtname)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) { fprintf(stderr, "spoor: %s: cannot open\n", path); return -1; }
    char head[16384];
    int hn = gzread(gz, head, sizeof head);
    if (hn < 0) hn = 0;
    sp_logfmt f = force ? force : sp_log_detect(head, (size_t)hn);
    *fmtname = sp_logfmt_name(f);
    if (!f) { gzclose(gz); fprintf(stderr, "spoor: %s: not a recognised log format\n", path); return -1; }
    gzrewind(gz);
    sp_logstate *st = sp_logstate_new(f, path);
    if (!st) { gzclose(gz); return -1; }
    struct stat sb;
    if (!stat(path, &sb)) sp_logstate_set_ref_time(st, (int64_t)sb.st_mtime * 1000);
    sp_logstate_set_tz_offset(st, tz);
    lreader r;
    memset(&r, 0, sizeof r);
    r.gz = gz;
    sp_arena a;
    sp_arena_init(&a, 64 * 1024);
    const char *line;
    size_t len;
    int k;
    unsigned reported = 0;
    char err[256];
    while ((k = next_line(&r, &line, &len)) != 0) {
        c->lines++;
        if (k < 0) {
            c->malformed++;
            if (!quiet && reported++ < 10) fprintf(stderr, "spoor: %s:%llu: line longer than %u bytes\n", path, (unsigned long long)c->lines, SP_LOG_MAX_LINE);
            continue;
        }
        sp_arena_reset(&a);
        sp_logevent ev;
        int res = sp_log_parse(st, line, len, &a, &ev, err, sizeof err);
        if (res > 0) {
            c->events++;
            if (json) {
                sp_buf_reset(out);
                sp_logevent_json(&ev, out);
                sp_buf_putc(out, '\n');
                fwrite(sp_buf_data(out), 1, sp_buf_len(out), stdout);
            }
        } else if (res == 0) {
            c->skipped++;
        } else {
            c->malformed++;
            if (!quiet && reported++ < 10) fprintf(stderr, "spoor: %s:%llu: %s\n", path, (unsigned long long)c->lines, err);
        }
    }
    if (!quiet && reported > 10) fprintf(stderr, "spoor: %s: %u more problems not shown\n", path, reported - 10);
    sp_arena_fini(&a);
    free(r.buf);
    gzclose(gz);
    sp_logstate_free(st);
    return 0;
}

static int logs_parse(int argc, char **argv)
{
    int json = 0, quiet = 0, tz = 0;
    sp_logfmt force = SP_LOG_NONE;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    int nf = 0;
    if (!files) return EX_NOINPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--format") && i + 1 < argc) {
            force = sp_logfmt_from_name(argv[++i]);
            if (!force) { fprintf(stderr, "spoor logs parse: unknown format '%s'\n\n%s", argv[i], usage_logs); free(files); return EX_USAGE; }
        } else if (!strcmp(a, "--tz-offset") && i + 1 < argc) {
            char *e;
            long v = strtol(argv[++i], &e, 10);
            if (*e || v < -1440 || v > 1440) { fprintf(stderr, "spoor logs parse: bad --tz-offset\n"); free(files); return EX_USAGE; }
            tz = (int)v;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage_logs, stdout); free(files); return EX_OK; }
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "spoor logs parse: unknown option '%s'\n\n%s", a, usage_logs); free(files); return EX_USAGE; }
        else files[nf++] = a;
    }
    if (!nf) { fputs(usage_logs, stderr); free(files); return EX_USAGE; }
    sp_buf *out = sp_buf_new();
    int bad = 0;
    for (int i = 0; i < nf; i++) {
        counts c = {0, 0, 0, 0};
        const char *fmt = "none";
        if (parse_file(files[i], json, force, tz, quiet, out, &c, &fmt)) { bad++; continue; }
        fflush(stdout);
        fprintf(json ? stderr : stdout, "%s: %s: %llu lines, %llu events, %llu not events, %llu malformed\n", files[i], fmt,
                (unsigned long long)c.lines, (unsigned long long)c.events, (unsigned long long)c.skipped,
                (unsigned long long)c.malformed);
    }
    sp_buf_free(out);
    free(files);
    return bad == nf ? EX_NOINPUT : bad ? EX_PARTIAL : EX_OK;
}

int cmd_logs(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "parse")) return logs_parse(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) { fputs(usage_logs, stdout); return EX_OK; }
    fputs(usage_logs, stderr);
    return EX_USAGE;
}
