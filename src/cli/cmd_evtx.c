/* cmd_evtx.c — `spoor evtx dump` and `spoor evtx info`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/io.h"

static const char usage_evtx[] =
    "usage: spoor evtx dump [--format jsonl|json|xml] [--threads N] [--recover] [--stats] FILE...\n"
    "       spoor evtx info [--json] [--recover] FILE...\n"
    "\n"
    "dump   decode every record. jsonl (default): one record per line, in the JSON\n"
    "       shape of the evtx crate's evtx_dump ({\"Event\":{\"#attributes\":…,\"System\":…,\n"
    "       \"EventData\":…}}); json: one JSON array; xml: the events' XML.\n"
    "       Records come out in file order whatever the thread count.\n"
    "info   header facts, chunk and record counts, record-id and time range,\n"
    "       damage found.\n"
    "\n"
    "options:\n"
    "  --format F     jsonl | json | xml (dump)\n"
    "  --threads N    worker threads (default: number of cores)\n"
    "  --recover      also carve records from chunk slack and damaged chunks;\n"
    "                 they are tagged recovered, copies of allocated records dropped\n"
    "  --stats        per-file counts on stderr after the dump\n"
    "  --json         machine-readable output (info)\n"
    "  -q, --quiet    do not report damage on stderr\n"
    "\n"
    "Damage (bad checksums, bad chunk signatures, broken records) is reported on\n"
    "stderr with file and offset, counted, and never stops the run.\n"
    "exit codes: 0 every file read, 2 usage, 3 no file could be read, 4 some could not\n";

enum fmt { F_JSONL, F_JSON, F_XML };

/* on_record (every worker, every record) reads only `fmt`; on_flush (the
 * worker whose turn it is) writes the rest: on a cache line of its own, so
 * each flush does not take the line `fmt` is read from away from the other
 * workers */
typedef struct dump_ctx {
    enum fmt fmt;
    _Alignas(64) FILE *out;
    int first;           /* json: no comma before the first record */
    int werr;
    /* progress */
    int progress;
    const char *file;
    uint64_t chunks_done, chunks_total;
} dump_ctx;

static int on_record(void *user, unsigned worker, const sp_record *r, sp_buf *out)
{
    dump_ctx *d = user;
    (void)worker;
    switch (d->fmt) {
    case F_JSONL:
    case F_JSON:
        if (d->fmt == F_JSON) sp_buf_append(out, "\n", 1);
        if (sp_record_json(r, out) != SP_OK) return 1;
        if (sp_record_recovered(r)) {
            /* tag carved records without disturbing the evtx_dump shape:
             * one extra top-level key after "Event" */
            size_t n = sp_buf_len(out);
            if (n && sp_buf_data(out)[n - 1] == '}') {
                /* drop the final brace, add the tag, close again */
                sp_buf_append(out, "", 0);
                ((char *)sp_buf_data(out))[n - 1] = ',';
                sp_buf_append(out, "\"spoor\":{\"recovered\":true}}", 27);
            }
        }
        if (d->fmt == F_JSONL) sp_buf_append(out, "\n", 1);
        else sp_buf_append(out, "\x01", 1); /* record separator, replaced at flush */
        break;
    case F_XML:
        if (sp_record_recovered(r)) sp_buf_append(out, "<!-- recovered record -->\n", 26);
        if (sp_record_xml(r, out) != SP_OK) return 1;
        break;
    }
    return 0;
}

/* progress on stderr, only when it is a terminal and the output is not */
static void progress(dump_ctx *d, int done)
{
    if (!d->progress) return;
    if (!done && (d->chunks_done & 63)) return;
    unsigned pct = d->chunks_total ? (unsigned)(100 * d->chunks_done / d->chunks_total) : 100;
    fprintf(stderr, "\r\033[Kspoor: %s: %3u%%", d->file, done ? 100u : pct);
    if (done) fputs("\r\033[K", stderr);
}

static int on_flush(void *user, const sp_buf *out)
{
    dump_ctx *d = user;
    const char *p = sp_buf_data(out);
    size_t n = sp_buf_len(out);
    d->chunks_done++;
    progress(d, 0);
    if (!n) return 0;
    if (d->fmt == F_JSON) {
        /* records are "\n{...}\x01": write commas between them */
        size_t start = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i] == '\x01') {
                if (!d->first) fputc(',', d->out);
                d->first = 0;
                fwrite(p + start, 1, i - start, d->out);
                start = i + 1;
            }
    } else {
        /* a chunk's output in one write(2), from the worker's own buffer:
         * through stdio every byte was copied into the one stdout buffer,
         * which with two workers moved between the cores' caches */
        if (fflush(d->out) || sp_write_all(fileno(d->out), p, n)) { d->werr = 1; return 1; }
    }
    if (ferror(d->out)) { d->werr = 1; return 1; }
    return 0;
}

static void print_stats(FILE *o, const char *path, const sp_evtx_stats *s, int json, int first)
{
    char t1[40] = "", t2[40] = "";
    if (s->first_time) sp_filetime_iso(s->first_time, t1, sizeof t1);
    if (s->last_time) sp_filetime_iso(s->last_time, t2, sizeof t2);
    if (json) {
        fprintf(o, "%s{\"file\":\"", first ? "" : ",\n");
        /* file names can hold anything: escape */
        for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
            if (*c == '"' || *c == '\\') fprintf(o, "\\%c", *c);
            else if (*c < 0x20) fprintf(o, "\\u%04x", *c);
            else fputc(*c, o);
        }
        fprintf(o, "\",\"size\":%llu,\"version\":\"%u.%u\",\"dirty\":%s,\"full\":%s,"
                   "\"header_chunks\":%u,\"chunks\":%u,\"chunks_ok\":%u,\"chunks_zero\":%u,"
                   "\"chunks_bad\":%u,\"records\":%llu,\"records_failed\":%llu,"
                   "\"records_recovered\":%llu,\"recovered_duplicates_dropped\":%llu,"
                   "\"first_record_id\":%llu,\"last_record_id\":%llu,\"first_time\":%s%s%s,"
                   "\"last_time\":%s%s%s,\"damage\":{",
                (unsigned long long)s->file_size, s->major, s->minor,
                (s->header_flags & 1) ? "true" : "false", (s->header_flags & 2) ? "true" : "false",
                s->header_chunks, s->chunks_seen, s->chunks_ok, s->chunks_zero, s->chunks_bad,
                (unsigned long long)s->records, (unsigned long long)s->records_failed,
                (unsigned long long)s->records_recovered, (unsigned long long)s->records_dup_dropped,
                (unsigned long long)s->first_id, (unsigned long long)s->last_id,
                *t1 ? "\"" : "", *t1 ? t1 : "null", *t1 ? "\"" : "",
                *t2 ? "\"" : "", *t2 ? t2 : "null", *t2 ? "\"" : "");
        for (int k = 0; k < SP_DMG__COUNT; k++)
            fprintf(o, "%s\"%s\":%llu", k ? "," : "", sp_damage_name((sp_damage)k), (unsigned long long)s->damage[k]);
        fprintf(o, "}}");
        return;
    }
    fprintf(o, "%s\n", path);
    fprintf(o, "  format version   %u.%u%s%s\n", s->major, s->minor,
            (s->header_flags & 1) ? ", dirty" : "", (s->header_flags & 2) ? ", full" : "");
    fprintf(o, "  size             %llu bytes\n", (unsigned long long)s->file_size);
    fprintf(o, "  chunks           %u in file (header says %u): %u ok, %u zero, %u damaged\n",
            s->chunks_seen, s->header_chunks, s->chunks_ok, s->chunks_zero, s->chunks_bad);
    fprintf(o, "  records          %llu decoded, %llu failed, %llu recovered (%llu duplicates dropped)\n",
            (unsigned long long)s->records, (unsigned long long)s->records_failed,
            (unsigned long long)s->records_recovered, (unsigned long long)s->records_dup_dropped);
    if (s->last_id)
        fprintf(o, "  record ids       %llu .. %llu\n", (unsigned long long)s->first_id, (unsigned long long)s->last_id);
    if (*t1) fprintf(o, "  time range       %s .. %s\n", t1, t2);
    int any = 0;
    for (int k = 0; k < SP_DMG__COUNT; k++)
        if (s->damage[k]) {
            fprintf(o, "%s%s %llu", any ? ", " : "  damage           ", sp_damage_name((sp_damage)k), (unsigned long long)s->damage[k]);
            any = 1;
        }
    fprintf(o, "%s", any ? "\n" : "  damage           none\n");
}

static int count_only(void *user, unsigned worker, const sp_record *r, sp_buf *out)
{
    (void)user; (void)worker; (void)r; (void)out;
    return 0;
}

int cmd_evtx(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_evtx, argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    int is_dump = !strcmp(argv[1], "dump"), is_info = !strcmp(argv[1], "info");
    if (!is_dump && !is_info) {
        fprintf(stderr, "spoor evtx: unknown subcommand '%s'\n%s", argv[1], usage_evtx);
        return EX_USAGE;
    }
    sp_evtx_opts opts = {0};
    opts.diag = cli_diag;
    dump_ctx d;
    memset(&d, 0, sizeof d);
    d.out = stdout;
    d.first = 1;
    cli_term term;
    cli_term_init(&term);
    d.progress = term.progress && !isatty(1);
    int stats = 0, json = 0, quiet = 0, nfiles = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    if (!files) return EX_NOINPUT;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(usage_evtx, stdout); free(files); return EX_OK; }
        else if (!strcmp(a, "--format") && is_dump && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(v, "jsonl")) d.fmt = F_JSONL;
            else if (!strcmp(v, "json")) d.fmt = F_JSON;
            else if (!strcmp(v, "xml")) d.fmt = F_XML;
            else { fprintf(stderr, "spoor evtx dump: unknown format '%s' (jsonl, json, xml)\n", v); free(files); return EX_USAGE; }
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], &opts.threads)) { fprintf(stderr, "spoor evtx: --threads wants a number\n"); free(files); return EX_USAGE; }
        } else if (!strcmp(a, "--recover")) opts.recover = 1;
        else if (!strcmp(a, "--stats")) stats = 1;
        else if (!strcmp(a, "--json") && is_info) json = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--")) { while (++i < argc) files[nfiles++] = argv[i]; }
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "spoor evtx %s: unknown option '%s'\n", argv[1], a); free(files); return EX_USAGE; }
        else files[nfiles++] = argv[i];
    }
    if (!nfiles) { fprintf(stderr, "spoor evtx %s: no input files\n%s", argv[1], usage_evtx); free(files); return EX_USAGE; }
    if (quiet) opts.diag = NULL;
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    int ok = 0, bad = 0;
    if (is_dump && d.fmt == F_JSON) fputs("[", stdout);
    if (is_dump && d.fmt == F_XML) fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n", stdout);
    if (is_info && json) fputs("[", stdout);
    for (int i = 0; i < nfiles; i++) {
        sp_evtx *f;
        sp_error err;
        sp_status st = sp_evtx_open(files[i], &opts, &f, &err);
        if (st != SP_OK) {
            fprintf(stderr, "spoor: %s: %s\n", files[i], err.msg);
            bad++;
            continue;
        }
        sp_evtx_stats s0;
        sp_evtx_get_stats(f, &s0);
        d.file = files[i];
        d.chunks_done = 0;
        d.chunks_total = s0.chunks_seen;
        st = sp_evtx_scan(f, is_dump ? on_record : count_only, on_flush, &d, &err);
        progress(&d, 1);
        sp_evtx_stats s;
        sp_evtx_get_stats(f, &s);
        if (st != SP_OK && !(st == SP_ERR_ABORT && d.werr)) {
            fprintf(stderr, "spoor: %s: %s\n", files[i], err.msg[0] ? err.msg : sp_status_str(st));
            bad++;
        } else {
            ok++;
        }
        if (is_info) print_stats(stdout, files[i], &s, json, i == 0 || ok + bad == 1);
        else if (stats) print_stats(stderr, files[i], &s, 0, 1);
        sp_evtx_close(f);
        if (d.werr) break;
    }
    if (is_dump && d.fmt == F_JSON) fputs("\n]\n", stdout);
    if (is_dump && d.fmt == F_XML) fputs("</Events>\n", stdout);
    if (is_info && json) fputs("]\n", stdout);
    free(files);
    if (fflush(stdout) || d.werr) { fprintf(stderr, "spoor: write error on output\n"); return EX_NOINPUT; }
    if (!ok) return EX_NOINPUT;
    return bad ? EX_PARTIAL : EX_OK;
}
