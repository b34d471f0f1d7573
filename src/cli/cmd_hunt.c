/* cmd_hunt.c — `spoor hunt`: Sigma rules over evidence, a timeline and a summary. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage_hunt[] =
    "usage: spoor hunt [options] FILE|DIR...\n"
    "\n"
    "Run Sigma rules over evidence: EVTX files and JSON-lines event exports\n"
    "(evtx_dump, Winlogbeat/ECS and flat NXLog shapes), found recursively in\n"
    "the folders given and recognised by content.  Prints a summary; writes a\n"
    "timeline of every detection when asked.\n"
    "\n"
    "rules:\n"
    "  --sigma PATH        Sigma rules: a file or a folder (repeatable)\n"
    "  --no-builtin        do not load spoor's own rule pack (rules/)\n"
    "  --logsources FILE   logsource map (default: the built-in config/logsources.yml)\n"
    "  --config FILE       placeholder values for |expand rules\n"
    "  --min-level L       report only rules of level L or above\n"
    "                      (informational, low, medium, high, critical)\n"
    "  --status S          report only rules of status S (repeatable)\n"
    "  --rule ID           report only rule ID (repeatable)\n"
    "  --compiled-rules F  the rules compiled into F by `spoor rules compile` (instead\n"
    "                      of --sigma and the built-in pack: compile those into F)\n"
    "  --no-rule-cache     compile the rules from the YAML, neither reading nor\n"
    "                      writing the compiled-rules cache ($SPOOR_CACHE_DIR, else\n"
    "                      $XDG_CACHE_HOME/spoor or ~/.cache/spoor; SPOOR_CACHE_DIR=off\n"
    "                      turns it off too)\n"
    "\n"
    "intelligence:\n"
    "  --intel PATH        IOCs: STIX 2.1 bundle, MISP event or feed folder, CSV or\n"
    "                      plain list (repeatable); hits become detections\n"
    "  --geoip FILE        MaxMind DB or range CSV (start,end,asn,org) for country\n"
    "                      and ASN of the IPs seen (repeatable; default: the search\n"
    "                      path of docs/intel.md, $SPOOR_GEOIP first)\n"
    "\n"
    "attribution:\n"
    "  --attribute         rank the groups of the knowledge base (and an actor not\n"
    "                      in it) by how likely each is behind the activity, with\n"
    "                      the evidence for and against and a confidence (the same\n"
    "                      as `spoor attribute` on this hunt's --json)\n"
    "  --victim-sector S   the victim's sector (e.g. healthcare), for --attribute\n"
    "  --victim-country CC the victim's country, for --attribute\n"
    "  --attack FILE       ATT&CK from this STIX bundle instead of the shipped KB\n"
    "  --no-profiles       leave spoor's actor profiles out\n"
    "\n"
    "output:\n"
    "  --timeline FILE     every detection, in time order: FILE.jsonl (JSON lines)\n"
    "                      or FILE.csv (Timeline Explorer / Timesketch)\n"
    "  --json              the summary as JSON on stdout (with \"seconds\" in all,\n"
    "                      \"setup_seconds\" loading rules and data, \"scan_seconds\";\n"
    "                      \"rule_cache\": read, written, unwritable, off or\n"
    "                      compiled-rules file)\n"
    "  -q, --quiet         no damage or input warnings on stderr\n"
    "\n"
    "input:\n"
    "  --threads N         worker threads (default: number of cores)\n"
    "  --recover           also carve EVTX records from slack and damaged chunks\n"
    "\n"
    "exit codes: 0 no detections, 1 detections, 2 usage error, 3 nothing could be read\n";

static const char *const levels[] = {"informational", "low", "medium", "high", "critical"};
#define NLEVELS 5

static int level_rank(const char *l)
{
    for (int i = 0; i < NLEVELS; i++)
        if (l && !strcmp(l, levels[i])) return i;
    return -1;
}

typedef struct hunt_cli {
    cli_term term;
    int quiet;
    int min_level;
    const char **status, **rule_ids;
    int nstatus, nrule;
    int attribute;             /* --attribute: assess who is behind it */
    cli_attr_opts ao;
    const sp_ruleset *rs;
    sp_kb *profiles;           /* loaded on demand (profiles_cb) */
} hunt_cli;

/* actor profiles, for the web-shell clients: loaded at the end of the hunt
 * only if there are such clients (quietly absent when the intel folder is
 * not found; --no-profiles leaves them out) */
static const struct sp_kb *profiles_cb(void *user)
{
    hunt_cli *c = user;
    char dir[4096], pp[4200];
    if (c->ao.no_profiles || c->profiles || !sp_intel_dir(dir, sizeof dir) || sp_kb_new(&c->profiles) != SP_OK)
        return c->profiles;
    snprintf(pp, sizeof pp, "%s/profiles", dir);
    sp_error kerr;
    memset(&kerr, 0, sizeof kerr);
    if (sp_kb_add_profiles(c->profiles, pp, &kerr) != SP_OK) { sp_kb_free(c->profiles); c->profiles = NULL; }
    return c->profiles;
}

static void warn_cb(void *user, const char *file, uint64_t off, const char *msg)
{
    hunt_cli *c = user;
    if (c->quiet) return;
    if (off == UINT64_MAX) fprintf(stderr, "spoor: %s: %s\n", file, msg);
    else fprintf(stderr, "spoor: %s: offset 0x%llx: %s\n", file, (unsigned long long)off, msg);
}

static void diag_cb(void *user, const char *file, uint64_t off, sp_damage kind, const char *msg)
{
    hunt_cli *c = user;
    if (c->quiet) return;
    cli_diag(NULL, file, off, kind, msg);
}

static void progress_cb(void *user, const char *file, uint64_t done, uint64_t total)
{
    hunt_cli *c = user;
    (void)done; (void)total;
    if (!c->term.progress) return;
    const char *b = strrchr(file, '/');
    fprintf(stderr, "\r\033[Kspoor hunt: %.70s", b ? b + 1 : file);
}

static int keep_rule(void *user, const sp_rule_info *r)
{
    const hunt_cli *c = user;
    if (c->min_level > 0 && level_rank(r->level) < c->min_level) return 0;
    if (c->nstatus) {
        int ok = 0;
        for (int i = 0; i < c->nstatus; i++) if (!strcmp(r->status, c->status[i])) ok = 1;
        if (!ok) return 0;
    }
    if (c->nrule) {
        int ok = 0;
        for (int i = 0; i < c->nrule; i++) if (!strcmp(r->id, c->rule_ids[i]) || !strcmp(r->name, c->rule_ids[i])) ok = 1;
        if (!ok) return 0;
    }
    return 1;
}


/* ------------------------------------------------------------ summary */

typedef struct count { const char *key; const char *label; uint64_t n; const void *obj; } count;
typedef struct counts {
    count *a;
    size_t n, cap;
    uint32_t *idx;           /* open addressing: index + 1 into a, by key (or obj) */
    size_t icap;
} counts;

static uint64_t count_hash(const void *obj, const char *key)
{
    if (obj) {   /* addresses: their low bits repeat, so mix them up */
        uint64_t h = (uint64_t)(uintptr_t)obj * 0x9E3779B97F4A7C15ull;
        return h ^ (h >> 31);
    }
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return h ^ (h >> 29);
}

/* An open-addressing index (entry number + 1) over n entries, doubled in
 * size; hash(ctx, i) is entry i's hash.  -1 when out of memory. */
static int index_grow(uint32_t **idx, size_t *icap, size_t n, uint64_t (*hash)(const void *, size_t), const void *ctx)
{
    size_t nc = *icap ? *icap * 2 : 64;
    uint32_t *ni = calloc(nc, sizeof *ni);
    if (!ni) return -1;
    for (size_t i = 0; i < n; i++) {
        size_t h = hash(ctx, i) & (nc - 1);
        while (ni[h]) h = (h + 1) & (nc - 1);
        ni[h] = (uint32_t)i + 1;
    }
    free(*idx);
    *idx = ni;
    *icap = nc;
    return 0;
}

static uint64_t count_hash_at(const void *ctx, size_t i)
{
    const counts *c = ctx;
    return count_hash(c->a[i].obj, c->a[i].key);
}

static int count_grow(counts *c) { return index_grow(&c->idx, &c->icap, c->n, count_hash_at, c); }

/* count one more of `key` (or of the object `obj` when given: rules are
 * told apart by identity, as two indicators may share an id); a hash
 * lookup: one per detection, and a hunt can have millions */
static void bump_obj(counts *c, const void *obj, const char *key, const char *label, uint64_t n)
{
    if ((c->n + 1) * 2 > c->icap && count_grow(c)) return;
    size_t h = count_hash(obj, key) & (c->icap - 1);
    for (; c->idx[h]; h = (h + 1) & (c->icap - 1)) {
        count *x = &c->a[c->idx[h] - 1];
        if (obj ? x->obj == obj : !strcmp(x->key, key)) { x->n += n; return; }
    }
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 32;
        count *na = realloc(c->a, nc * sizeof *na);
        if (!na) return;
        c->a = na;
        c->cap = nc;
    }
    c->a[c->n] = (count){key, label, n, obj};
    c->idx[h] = (uint32_t)++c->n;
}

static void bump(counts *c, const char *key, const char *label, uint64_t n) { bump_obj(c, NULL, key, label, n); }

/* Detections grouped by (rule, host), with the time range: the summary's
 * counts and the attribution evidence read these instead of every
 * detection (a hunt can have millions; hashing every detection's tags was
 * ~1 ms per 4,000).  `host` points at one detection's copy. */
typedef struct rh_agg { const sp_rule_info *rule; const char *host; uint64_t n; } rh_agg;
typedef struct rh_table {
    rh_agg *a;
    size_t n, cap;
    uint32_t *idx;           /* open addressing: index + 1 into a */
    size_t icap;
    int64_t tmin, tmax;
} rh_table;

static uint64_t rh_hash(const sp_rule_info *r, const char *host)
{
    uint64_t h = (uint64_t)(uintptr_t)r * 0x9E3779B97F4A7C15ull;
    for (const unsigned char *p = (const unsigned char *)host; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return h ^ (h >> 31);
}

static uint64_t rh_hash_at(const void *ctx, size_t i)
{
    const rh_table *t = ctx;
    return rh_hash(t->a[i].rule, t->a[i].host);
}

static int rh_grow(rh_table *t) { return index_grow(&t->idx, &t->icap, t->n, rh_hash_at, t); }

static void rh_build(const sp_hunt *h, rh_table *t)
{
    memset(t, 0, sizeof *t);
    t->tmin = INT64_MAX;
    t->tmax = INT64_MIN;
    size_t nd = sp_hunt_hit_count(h), last = SIZE_MAX;
    for (size_t i = 0; i < nd; i++) {
        sp_hit x;
        sp_hunt_hit(h, i, &x);
        if (!x.rule) continue;
        if (x.time_ms != INT64_MIN) {
            if (x.time_ms < t->tmin) t->tmin = x.time_ms;
            if (x.time_ms > t->tmax) t->tmax = x.time_ms;
        }
        /* one event's detections come together: most share the last pair */
        if (last != SIZE_MAX && t->a[last].rule == x.rule && !strcmp(t->a[last].host, x.host)) { t->a[last].n++; continue; }
        if ((t->n + 1) * 2 > t->icap && rh_grow(t)) continue;
        size_t k = rh_hash(x.rule, x.host) & (t->icap - 1);
        for (; t->idx[k]; k = (k + 1) & (t->icap - 1)) {
            rh_agg *e = &t->a[t->idx[k] - 1];
            if (e->rule == x.rule && !strcmp(e->host, x.host)) break;
        }
        if (t->idx[k]) { last = t->idx[k] - 1; t->a[last].n++; continue; }
        if (t->n == t->cap) {
            size_t nc = t->cap ? t->cap * 2 : 64;
            rh_agg *na = realloc(t->a, nc * sizeof *na);
            if (!na) continue;
            t->a = na;
            t->cap = nc;
        }
        t->a[t->n] = (rh_agg){x.rule, x.host, 1};
        t->idx[k] = (uint32_t)++t->n;
        last = t->n - 1;
    }
}

static void rh_free(rh_table *t) { free(t->a); free(t->idx); }

/* rules: highest level first, then most detections (a critical correlation
 * that fired once must not hide under thousands of medium hits) */
static int by_level_count(const void *a, const void *b)
{
    const count *x = a, *y = b;
    int lx = level_rank(((const sp_rule_info *)x->obj)->level), ly = level_rank(((const sp_rule_info *)y->obj)->level);
    if (lx != ly) return lx < ly ? 1 : -1;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    return strcmp(x->key, y->key);
}

static int by_count(const void *a, const void *b)
{
    const count *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* Rules in by_count order regrouped by level, highest first, that order
 * kept within a level: by_level_count's order in one stable pass (through
 * qsort it ranked both levels by string compares at every comparison: 0.6 M
 * instructions, a fifth of the summary of a 4,000-detection hunt). */
static void rules_by_level(counts *c)
{
    count *tmp = malloc(c->n * sizeof *tmp);
    signed char *rank = malloc(c->n);
    if (!tmp || !rank) {
        free(tmp);
        free(rank);
        qsort(c->a, c->n, sizeof *c->a, by_level_count);
        return;
    }
    for (size_t i = 0; i < c->n; i++) rank[i] = (signed char)level_rank(((const sp_rule_info *)c->a[i].obj)->level);
    size_t o = 0;
    for (int lr = NLEVELS - 1; lr >= -1; lr--)
        for (size_t i = 0; i < c->n; i++)
            if (rank[i] == lr) tmp[o++] = c->a[i];
    memcpy(c->a, tmp, c->n * sizeof *tmp);
    free(rank);
    free(tmp);
}

static void iso(int64_t ms, char *buf, size_t cap)
{
    if (ms == INT64_MIN) { snprintf(buf, cap, "-"); return; }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void jesc(FILE *o, const char *s)
{
    fputc('"', o);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(o, "\\%c", *p);
        else if (*p < 0x20) fprintf(o, "\\u%04x", *p);
        else fputc(*p, o);
    }
    fputc('"', o);
}

static const char *tech_of(const char *tag)
{
    /* attack.t1059.001 -> T1059.001 (upper-cased into a static buffer per call site) */
    return (!strncmp(tag, "attack.t", 8) && tag[8] >= '0' && tag[8] <= '9') ? tag + 7 : NULL;
}

static void fmt_offset(char *b, size_t cap, int min)
{
    snprintf(b, cap, "UTC%c%02d:%02d", min < 0 ? '-' : '+', abs(min) / 60, abs(min) % 60);
}

/* logons, account changes, operator hours as JSON members (no braces) */
static void json_analytics(FILE *o, const sp_hunt *h)
{
    char t1[40], t2[40];
    fputs("\"logons\":[", o);
    size_t n = sp_hunt_logon_count(h);
    for (size_t i = 0; i < n && i < 500; i++) {
        const sp_logon_row *r = sp_hunt_logon(h, i);
        iso(r->first_ms == INT64_MAX ? INT64_MIN : r->first_ms, t1, sizeof t1);
        iso(r->last_ms, t2, sizeof t2);
        fprintf(o, "%s{\"account\":", i ? "," : "");
        jesc(o, r->account);
        fputs(",\"logon_type\":", o); jesc(o, r->logon_type);
        fputs(",\"source_ip\":", o); jesc(o, r->source_ip);
        fputs(",\"host\":", o); jesc(o, r->host);
        fprintf(o, ",\"success\":%llu,\"failure\":%llu,\"first\":", (unsigned long long)r->success, (unsigned long long)r->failure);
        jesc(o, t1);
        fputs(",\"last\":", o);
        jesc(o, t2);
        fputc('}', o);
    }
    fputs("],\"account_changes\":[", o);
    n = sp_hunt_change_count(h);
    for (size_t i = 0; i < n && i < 1000; i++) {
        const sp_account_change *x = sp_hunt_change(h, i);
        iso(x->time_ms, t1, sizeof t1);
        fprintf(o, "%s{\"time\":", i ? "," : "");
        jesc(o, t1);
        fputs(",\"host\":", o); jesc(o, x->host);
        fprintf(o, ",\"event_id\":%u,\"what\":", x->event_id);
        jesc(o, x->what);
        fputs(",\"account\":", o); jesc(o, x->account);
        fputs(",\"group\":", o); jesc(o, x->group);
        fputs(",\"by\":", o); jesc(o, x->by);
        fputc('}', o);
    }
    sp_hours hr;
    sp_hunt_hours(h, &hr);
    char off[16], off2[16];
    fmt_offset(off, sizeof off, hr.best_offset_min);
    fmt_offset(off2, sizeof off2, hr.second_offset_min);
    fprintf(o, "],\"operator_hours\":{\"events\":%llu,\"utc_offset_min\":%d,\"utc_offset\":\"%s\",\"posterior\":%.3f,"
               "\"in_window\":%.3f,\"confidence\":\"%s\",\"runner_up\":{\"utc_offset\":\"%s\",\"posterior\":%.3f},"
               "\"by_weekday_hour_utc\":[",
            (unsigned long long)hr.n, hr.best_offset_min, off, hr.best_posterior, hr.in_window, hr.confidence, off2,
            hr.second_posterior);
    for (int d = 0; d < 7; d++) {
        fputs(d ? ",[" : "[", o);
        for (int k = 0; k < 24; k++) fprintf(o, "%s%u", k ? "," : "", hr.by_hour_utc[d][k]);
        fputc(']', o);
    }
    fputs("]}", o);
}

/* Log text shown on the terminal: control characters (C0, DEL, and C1 as
 * UTF-8) become '?', so an event cannot move the cursor, recolour or retitle
 * the analyst's terminal.  Up to 8 results live at once (a ring), each cut at
 * 511 bytes; the JSON outputs keep the full text, escaped. */
static const char *tc(const char *s)
{
    static char ring[8][512];
    static unsigned next;
    char *o = ring[next++ & 7];
    size_t k = 0;
    for (const unsigned char *u = (const unsigned char *)(s ? s : ""); *u && k < 511; u++) {
        if (*u < 0x20 || *u == 0x7f) { o[k++] = '?'; continue; }
        if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) { o[k++] = '?'; u++; continue; }
        o[k++] = (char)*u;
    }
    o[k] = 0;
    return o;
}

static void text_analytics(FILE *o, const hunt_cli *c, const sp_hunt *h)
{
    const char *B = c->term.color_out ? "\033[1m" : "", *R = c->term.color_out ? "\033[0m" : "";
    char t1[40], t2[40];
    size_t n = sp_hunt_logon_count(h);
    if (n) {
        fprintf(o, "\n%slogons%s  (account, type, source, host: success / failure, first .. last)\n", B, R);
        for (size_t i = 0; i < n && i < 12; i++) {
            const sp_logon_row *r = sp_hunt_logon(h, i);
            iso(r->first_ms == INT64_MAX ? INT64_MIN : r->first_ms, t1, sizeof t1);
            iso(r->last_ms, t2, sizeof t2);
            fprintf(o, "  %-28.28s %-27.27s %-16.16s %-22.22s %5llu / %-5llu %s .. %s\n", tc(r->account), tc(r->logon_type),
                    r->source_ip[0] ? tc(r->source_ip) : "-", tc(r->host), (unsigned long long)r->success,
                    (unsigned long long)r->failure, t1, t2);
        }
        if (n > 12) fprintf(o, "  ... %zu more (--json lists them)\n", n - 12);
    }
    n = sp_hunt_change_count(h);
    if (n) {
        fprintf(o, "\n%saccount and group changes%s\n", B, R);
        for (size_t i = 0; i < n && i < 20; i++) {
            const sp_account_change *x = sp_hunt_change(h, i);
            iso(x->time_ms, t1, sizeof t1);
            fprintf(o, "  %s  %-22.22s %-18s %s%s%s  (by %s)\n", t1, tc(x->host), x->what, tc(x->account),
                    x->group[0] ? " -> " : "", tc(x->group), x->by[0] ? tc(x->by) : "-");
        }
        if (n > 20) fprintf(o, "  ... %zu more (--json lists them)\n", n - 20);
    }
    sp_hours hr;
    sp_hunt_hours(h, &hr);
    if (hr.n) {
        char off[16], off2[16];
        fmt_offset(off, sizeof off, hr.best_offset_min);
        fmt_offset(off2, sizeof off2, hr.second_offset_min);
        fprintf(o, "\n%soperator hours%s  (hands-on activity: %llu events)\n", B, R, (unsigned long long)hr.n);
        fprintf(o, "  best-fitting working week: %s (Mon-Fri 08-19 local; %.0f%% of activity inside), confidence %s"
                   " (posterior %.2f; next: %s %.2f)\n",
                off, 100 * hr.in_window, hr.confidence, hr.best_posterior, off2, hr.second_posterior);
        /* histogram by local hour at that offset */
        uint64_t byh[24] = {0}, mx = 0;
        for (int d = 0; d < 7; d++)
            for (int k = 0; k < 24; k++) {
                int lh = (((k * 60 + hr.best_offset_min) % 1440) + 1440) % 1440 / 60;
                byh[lh] += hr.by_hour_utc[d][k];
            }
        for (int k = 0; k < 24; k++) if (byh[k] > mx) mx = byh[k];
        fprintf(o, "  local hour (%s):\n", off);
        for (int k = 0; k < 24; k++) {
            int w = mx ? (int)(40 * byh[k] / mx) : 0;
            fprintf(o, "   %02d |", k);
            for (int q = 0; q < w; q++) fputc('#', o);
            fprintf(o, " %llu\n", (unsigned long long)byh[k]);
        }
    }
}

static void roles_str(unsigned r, char *b, size_t cap)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        {SP_IPROLE_LOGON_SOURCE, "logon_source"}, {SP_IPROLE_INBOUND, "inbound"}, {SP_IPROLE_OUTBOUND, "outbound"},
        {SP_IPROLE_WEB_CLIENT, "web_client"}, {SP_IPROLE_WEB_SHELL_CLIENT, "web_shell_client"}, {SP_IPROLE_C2, "c2"}};
    b[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (r & names[i].bit) {
            size_t l = strlen(b);
            snprintf(b + l, cap - l, "%s%s", l ? "," : "", names[i].name);
        }
}

/* The evidence attribution reads from a hunt ("attribution_evidence"):
 * techniques and software from the tags of the rules that fired, with how
 * often, how severe and on how many hosts; and the operator hours. */
typedef struct ev_item { char id[24]; uint64_t count; int max_level; const char *hosts[64]; int nhosts; } ev_item;

static ev_item *ev_get(ev_item **a, size_t *n, size_t *cap, const char *id)
{
    for (size_t i = 0; i < *n; i++) if (!strcmp((*a)[i].id, id)) return &(*a)[i];
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        ev_item *na = realloc(*a, nc * sizeof *na);
        if (!na) return NULL;
        *a = na;
        *cap = nc;
    }
    ev_item *x = &(*a)[(*n)++];
    memset(x, 0, sizeof *x);
    x->max_level = -1;
    snprintf(x->id, sizeof x->id, "%s", id);
    return x;
}

static void ev_note(ev_item *x, const rh_agg *g)
{
    x->count += g->n;
    int l = level_rank(g->rule->level);
    if (l > x->max_level) x->max_level = l;
    if (!g->host[0]) return;
    for (int i = 0; i < x->nhosts; i++) if (!strcmp(x->hosts[i], g->host)) return;
    if (x->nhosts < 64) x->hosts[x->nhosts++] = g->host;
}

static void json_evidence(FILE *o, const sp_hunt *h)
{
    ev_item *tech = NULL, *soft = NULL;
    size_t nt = 0, ct = 0, ns = 0, cs = 0;
    rh_table rt;
    rh_build(h, &rt);
    for (size_t i = 0; i < rt.n; i++) {
        const rh_agg *g = &rt.a[i];
        for (size_t t = 0; t < g->rule->ntags; t++) {
            const char *tg = g->rule->tags[t];
            char up[24];
            if (strncmp(tg, "attack.", 7) || strlen(tg + 7) >= sizeof up) continue;
            snprintf(up, sizeof up, "%s", tg + 7);
            for (char *p = up; *p; p++) if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
            ev_item *e = NULL;
            if (up[0] == 'T' && up[1] >= '0' && up[1] <= '9') e = ev_get(&tech, &nt, &ct, up);
            else if (up[0] == 'S' && up[1] >= '0' && up[1] <= '9') e = ev_get(&soft, &ns, &cs, up);
            if (e) ev_note(e, g);
        }
    }
    rh_free(&rt);
    fputs("\"attribution_evidence\":{\"techniques\":[", o);
    for (size_t i = 0; i < nt; i++)
        fprintf(o, "%s{\"id\":\"%s\",\"count\":%llu,\"max_level\":\"%s\",\"hosts\":%d}", i ? "," : "", tech[i].id,
                (unsigned long long)tech[i].count, tech[i].max_level >= 0 ? levels[tech[i].max_level] : "", tech[i].nhosts);
    fputs("],\"software\":[", o);
    for (size_t i = 0; i < ns; i++)
        fprintf(o, "%s{\"id\":\"%s\",\"count\":%llu}", i ? "," : "", soft[i].id, (unsigned long long)soft[i].count);
    fputs("],\"ips\":[", o);
    char cc[64][4];
    uint32_t asns[64];
    size_t ncc = 0, nas = 0, nip = sp_hunt_ip_count(h);
    for (size_t i = 0; i < nip && i < 200; i++) {
        const sp_ip_row *r = sp_hunt_ip(h, i);
        char roles[128];
        roles_str(r->roles, roles, sizeof roles);
        fprintf(o, "%s{\"ip\":\"%s\",\"country\":\"%s\",\"asn\":%u,\"role\":\"%s\",\"count\":%llu}", i ? "," : "", r->ip,
                r->country, r->asn, roles, (unsigned long long)r->count);
        if (r->country[0]) {
            size_t k = 0;
            while (k < ncc && strcmp(cc[k], r->country)) k++;
            if (k == ncc && ncc < 64) memcpy(cc[ncc++], r->country, 4);
        }
        if (r->asn) {
            size_t k = 0;
            while (k < nas && asns[k] != r->asn) k++;
            if (k == nas && nas < 64) asns[nas++] = r->asn;
        }
    }
    fputs("],\"countries\":[", o);
    for (size_t i = 0; i < ncc; i++) fprintf(o, "%s\"%s\"", i ? "," : "", cc[i]);
    fputs("],\"asns\":[", o);
    for (size_t i = 0; i < nas; i++) fprintf(o, "%s%u", i ? "," : "", asns[i]);
    sp_hours hr;
    sp_hunt_hours(h, &hr);
    /* no hands-on activity: no fit ("hours": null) */
    if (hr.n)
        fprintf(o, "],\"hours\":{\"utc_offset_min\":%d,\"confidence\":\"%s\",\"events\":%llu}", hr.best_offset_min,
                hr.confidence, (unsigned long long)hr.n);
    else
        fputs("],\"hours\":null", o);
    /* a beacon, or HTTP naming an address as Host, with no DNS answer behind it */
    int bare = 0;
    for (size_t i = 0; i < sp_hunt_c2_count(h); i++) {
        const sp_c2_row *r = sp_hunt_c2(h, i);
        bare |= r->beacon || r->http_host_ip;
    }
    if (bare) fputs(",\"bare_ip_c2\":true", o);
    fputc('}', o);
    free(tech);
    free(soft);
}

static void json_ips(FILE *o, const sp_hunt *h)
{
    char t1[40], t2[40], roles[128];
    fputs("\"external_ips\":[", o);
    size_t n = sp_hunt_ip_count(h);
    for (size_t i = 0; i < n && i < 1000; i++) {
        const sp_ip_row *r = sp_hunt_ip(h, i);
        iso(r->first_ms, t1, sizeof t1);
        iso(r->last_ms, t2, sizeof t2);
        roles_str(r->roles, roles, sizeof roles);
        fprintf(o, "%s{\"ip\":", i ? "," : "");
        jesc(o, r->ip);
        fputs(",\"country\":", o); jesc(o, r->country);
        fprintf(o, ",\"asn\":%u,\"as_org\":", r->asn);
        jesc(o, r->as_org);
        fprintf(o, ",\"roles\":\"%s\",\"count\":%llu,\"host\":", roles, (unsigned long long)r->count);
        jesc(o, r->host);
        fputs(",\"first\":", o); jesc(o, t1);
        fputs(",\"last\":", o); jesc(o, t2);
        fputc('}', o);
    }
    fputc(']', o);
}

static void text_ips(FILE *o, const hunt_cli *c, const sp_hunt *h)
{
    const char *B = c->term.color_out ? "\033[1m" : "", *R = c->term.color_out ? "\033[0m" : "";
    size_t n = sp_hunt_ip_count(h);
    if (!n) return;
    char roles[128], t1[40];
    fprintf(o, "\n%sexternal IPs%s  (ip, country, AS, role, events, first seen, host)\n", B, R);
    for (size_t i = 0; i < n && i < 15; i++) {
        const sp_ip_row *r = sp_hunt_ip(h, i);
        roles_str(r->roles, roles, sizeof roles);
        iso(r->first_ms, t1, sizeof t1);
        char as[160];
        if (r->asn) snprintf(as, sizeof as, "AS%u %.40s", r->asn, r->as_org);
        else snprintf(as, sizeof as, "-");
        fprintf(o, "  %-16s %-3s %-34.34s %-18.18s %5llu  %s  %s\n", tc(r->ip), r->country[0] ? r->country : "-", tc(as), roles,
                (unsigned long long)r->count, t1, tc(r->host));
    }
    if (n > 15) fprintf(o, "  ... %zu more (--json lists them)\n", n - 15);
}

static void json_webc2(FILE *o, const sp_hunt *h)
{
    char t1[40], t2[40];
    fputs("\"web_shells\":[", o);
    size_t n = sp_hunt_webshell_count(h);
    for (size_t i = 0; i < n && i < 200; i++) {
        const sp_webshell *w = sp_hunt_webshell(h, i);
        iso(w->first_ms, t1, sizeof t1);
        iso(w->last_ms, t2, sizeof t2);
        fprintf(o, "%s{\"site\":", i ? "," : "");
        jesc(o, w->site);
        fputs(",\"resource\":", o); jesc(o, w->resource);
        fprintf(o, ",\"score\":%d,\"why\":", w->score);
        jesc(o, w->why);
        fprintf(o, ",\"requests\":%llu,\"posts\":%llu,\"command_like\":%llu,\"first\":", (unsigned long long)w->requests,
                (unsigned long long)w->posts, (unsigned long long)w->cmdlike);
        jesc(o, t1);
        fputs(",\"last\":", o); jesc(o, t2);
        fprintf(o, ",\"more_clients\":%llu,\"clients\":[", (unsigned long long)w->more_clients);
        for (size_t k = 0; k < w->nclients; k++) {
            const sp_web_client *cl = &w->clients[k];
            iso(cl->first_ms, t1, sizeof t1);
            iso(cl->last_ms, t2, sizeof t2);
            fprintf(o, "%s{\"ip\":", k ? "," : "");
            jesc(o, cl->ip);
            fputs(",\"country\":", o); jesc(o, cl->country);
            fprintf(o, ",\"rare_country\":%s,\"rare_asn\":%s,\"actor\":", cl->rare & 1 ? "true" : "false",
                    cl->rare & 2 ? "true" : "false");
            jesc(o, cl->actor);
            fputs(",\"profile\":", o);
            jesc(o, cl->profile);
            fprintf(o, ",\"requests\":%llu,\"first\":", (unsigned long long)cl->count);
            jesc(o, t1);
            fputs(",\"last\":", o); jesc(o, t2);
            fputc('}', o);
        }
        fputs("]}", o);
    }
    fputs("],\"bare_ip_destinations\":[", o);
    n = sp_hunt_c2_count(h);
    for (size_t i = 0; i < n && i < 1000; i++) {
        const sp_c2_row *r = sp_hunt_c2(h, i);
        iso(r->first_ms, t1, sizeof t1);
        iso(r->last_ms, t2, sizeof t2);
        fprintf(o, "%s{\"host\":", i ? "," : "");
        jesc(o, r->host);
        fputs(",\"ip\":", o); jesc(o, r->dst);
        fputs(",\"country\":", o); jesc(o, r->country);
        fprintf(o, ",\"asn\":%u,\"connections\":%llu,\"bytes\":%llu,\"median_interval_s\":%.1f,\"jitter\":%.3f,"
                   "\"beacon\":%s,\"http_host_is_ip\":%s,\"first\":",
                r->asn, (unsigned long long)r->count, (unsigned long long)r->bytes, r->median_interval_s, r->jitter,
                r->beacon ? "true" : "false", r->http_host_ip ? "true" : "false");
        jesc(o, t1);
        fputs(",\"last\":", o); jesc(o, t2);
        fputc('}', o);
    }
    fputc(']', o);
}

static void text_webc2(FILE *o, const hunt_cli *c, const sp_hunt *h)
{
    const char *B = c->term.color_out ? "\033[1m" : "", *R = c->term.color_out ? "\033[0m" : "";
    char t1[40];
    size_t n = sp_hunt_webshell_count(h);
    if (n) {
        fprintf(o, "\n%ssuspected web shells%s  (score, site, resource, requests; clients rarest country first)\n", B, R);
        for (size_t i = 0; i < n && i < 10; i++) {
            const sp_webshell *w = sp_hunt_webshell(h, i);
            fprintf(o, "  %d  %s %s  %llu requests: %s\n", w->score, tc(w->site), tc(w->resource), (unsigned long long)w->requests,
                    tc(w->why));
            for (size_t k = 0; k < w->nclients && k < 5; k++) {
                const sp_web_client *cl = &w->clients[k];
                iso(cl->first_ms, t1, sizeof t1);
                fprintf(o, "       %-16s %-3s%s %5llu  from %s%s%s%s%s\n", tc(cl->ip), cl->country[0] ? cl->country : "-",
                        cl->rare ? " (rare)" : "       ", (unsigned long long)cl->count, t1, cl->actor[0] ? "  IOC: " : "",
                        tc(cl->actor), cl->profile[0] ? "  profile: " : "", tc(cl->profile));
            }
            if (w->nclients > 5) fprintf(o, "       ... %zu more clients\n", w->nclients - 5);
        }
    }
    n = sp_hunt_c2_count(h);
    if (n) {
        fprintf(o, "\n%sbare-IP destinations%s  (no DNS answer named them: host -> ip, country, connections, interval, jitter)\n", B, R);
        for (size_t i = 0; i < n && i < 10; i++) {
            const sp_c2_row *r = sp_hunt_c2(h, i);
            fprintf(o, "  %-16s -> %-16s %-3s %6llu  %7.1f s  %.2f%s%s\n", tc(r->host), tc(r->dst), r->country[0] ? r->country : "-",
                    (unsigned long long)r->count, r->median_interval_s, r->jitter, r->beacon ? "  BEACON" : "",
                    r->http_host_ip ? "  HTTP Host is the IP" : "");
        }
        if (n > 10) fprintf(o, "  ... %zu more (--json lists them)\n", n - 10);
    }
}

/* --attribute: the evidence object, as `spoor attribute` reads it, assessed */
static sp_buf *attribution(const hunt_cli *c, const sp_hunt *h, int json)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&txt, &len);
    if (!m) return NULL;
    fputc('{', m);
    json_evidence(m, h);
    fputc('}', m);
    if (fclose(m)) { free(txt); return NULL; }
    sp_buf *out = sp_buf_new();
    cli_attr_opts o = c->ao;
    o.json = json;
    if (out && cli_attribute_run(txt, len, "hunt evidence", &o, c->rs, out) != EX_OK) { sp_buf_free(out); out = NULL; }
    free(txt);
    return out;
}

/* what the compiled-rules cache did, for --json and the stderr note */
static const char *rule_cache_word(int state)
{
    switch (state) {
    case SP_RULE_CACHE_READ: return "read";
    case SP_RULE_CACHE_WRITTEN: return "written";
    case SP_RULE_CACHE_UNWRITTEN: return "unwritable";
    case SP_RULE_CACHE_FILE: return "compiled-rules file";
    default: return "off";
    }
}

static void print_summary(const hunt_cli *c, const sp_hunt *h, uint64_t shown, int json, double secs, double setup)
{
    counts bylevel = {0}, byrule = {0}, byhost = {0}, bytech = {0}, bytactic = {0};
    uint64_t lvl[NLEVELS + 1] = {0};
    rh_table rt;
    rh_build(h, &rt);
    int64_t tmin = rt.tmin, tmax = rt.tmax;
    for (size_t i = 0; i < rt.n; i++) {
        const rh_agg *g = &rt.a[i];
        const sp_rule_info *r = g->rule;
        int lr = level_rank(r->level);
        lvl[lr < 0 ? NLEVELS : lr] += g->n;
        bump_obj(&byrule, r, r->id[0] ? r->id : r->title, r->title, g->n);
        if (g->host[0]) bump(&byhost, g->host, g->host, g->n);
        for (size_t t = 0; t < r->ntags; t++) {
            const char *tg = r->tags[t];
            if (tech_of(tg)) bump(&bytech, tg + 7, tg, g->n);
            else if (!strncmp(tg, "attack.", 7) && !(tg[7] == 'g' && tg[8] >= '0' && tg[8] <= '9') &&
                     !(tg[7] == 's' && tg[8] >= '0' && tg[8] <= '9'))
                bump(&bytactic, tg + 7, tg, g->n);
        }
    }
    rh_free(&rt);
    (void)bylevel;
    if (byrule.n) qsort(byrule.a, byrule.n, sizeof *byrule.a, by_count);
    if (byhost.n) qsort(byhost.a, byhost.n, sizeof *byhost.a, by_count);
    if (bytech.n) qsort(bytech.a, bytech.n, sizeof *bytech.a, by_count);
    if (bytactic.n) qsort(bytactic.a, bytactic.n, sizeof *bytactic.a, by_count);
    char t1[40], t2[40];
    iso(tmin == INT64_MAX ? INT64_MIN : tmin, t1, sizeof t1);
    iso(tmax, t2, sizeof t2);
    size_t nin = sp_hunt_input_count(h);
    if (json) {
        FILE *o = stdout;
        fprintf(o, "{\"detections\":%llu,\"by_level\":{", (unsigned long long)shown);
        for (int i = 0; i < NLEVELS; i++) fprintf(o, "%s\"%s\":%llu", i ? "," : "", levels[i], (unsigned long long)lvl[i]);
        fprintf(o, "},\"time_range\":{\"first\":");
        if (tmin == INT64_MAX) fputs("null", o); else jesc(o, t1);
        fputs(",\"last\":", o);
        if (tmax == INT64_MIN) fputs("null", o); else jesc(o, t2);
        fputs("},\"rules\":[", o);
        for (size_t i = 0; i < byrule.n; i++) {
            fprintf(o, "%s{\"id\":", i ? "," : "");
            jesc(o, byrule.a[i].key);
            fputs(",\"title\":", o);
            jesc(o, byrule.a[i].label);
            fprintf(o, ",\"count\":%llu}", (unsigned long long)byrule.a[i].n);
        }
        fputs("],\"hosts\":[", o);
        for (size_t i = 0; i < byhost.n; i++) {
            fprintf(o, "%s{\"host\":", i ? "," : "");
            jesc(o, byhost.a[i].key);
            fprintf(o, ",\"count\":%llu}", (unsigned long long)byhost.a[i].n);
        }
        fputs("],\"techniques\":[", o);
        for (size_t i = 0; i < bytech.n; i++) {
            char up[64];
            snprintf(up, sizeof up, "%s", bytech.a[i].key);
            for (char *p = up; *p; p++) if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
            fprintf(o, "%s{\"id\":", i ? "," : "");
            jesc(o, up);
            fprintf(o, ",\"count\":%llu}", (unsigned long long)bytech.a[i].n);
        }
        fputs("],\"tactics\":[", o);
        for (size_t i = 0; i < bytactic.n; i++) {
            fprintf(o, "%s{\"name\":", i ? "," : "");
            jesc(o, bytactic.a[i].key);
            fprintf(o, ",\"count\":%llu}", (unsigned long long)bytactic.a[i].n);
        }
        fputs("],\"inputs\":[", o);
        for (size_t i = 0; i < nin; i++) {
            const sp_input_stats *s = sp_hunt_input(h, i);
            fprintf(o, "%s{\"path\":", i ? "," : "");
            jesc(o, s->path);
            fputs(",\"format\":", o);
            jesc(o, s->format);
            fprintf(o, ",\"records\":%llu,\"parsed\":%llu,\"skipped\":%llu,\"recovered\":%llu,\"errors\":%llu,\"detections\":%llu,\"skip_reason\":",
                    (unsigned long long)s->records, (unsigned long long)s->parsed, (unsigned long long)s->skipped,
                    (unsigned long long)s->recovered, (unsigned long long)s->errors, (unsigned long long)s->detections);
            jesc(o, s->skip_reason);
            fputs(",\"error\":", o);
            jesc(o, s->error);
            fputc('}', o);
        }
        fputs("],", o);
        json_analytics(o, h);
        fputc(',', o);
        json_ips(o, h);
        fputc(',', o);
        json_webc2(o, h);
        fputc(',', o);
        json_evidence(o, h);
        if (c->attribute) {
            sp_buf *a = attribution(c, h, 1);
            size_t an = a ? sp_buf_len(a) : 0;
            const char *ap = a ? sp_buf_data(a) : "";
            while (an && (ap[an - 1] == '\n' || ap[an - 1] == ' ')) an--;
            fputs(",\"attribution\":", o);
            if (an) fwrite(ap, 1, an, o); else fputs("null", o);
            sp_buf_free(a);
        }
        /* setup: loading and compiling rules, indicators, geo data, profiles;
         * scan: reading the evidence and matching, to the end of correlation */
        sp_ruleset_stats rst;
        sp_ruleset_get_stats(c->rs, &rst);
        fprintf(o, ",\"rule_cache\":\"%s\",\"seconds\":%.3f,\"setup_seconds\":%.3f,\"scan_seconds\":%.3f}\n",
                rule_cache_word(rst.cache), secs, setup, secs - setup);
    } else {
        FILE *o = stdout;
        const char *B = c->term.color_out ? "\033[1m" : "", *R = c->term.color_out ? "\033[0m" : "";
        static const char *lc[NLEVELS] = {"\033[37m", "\033[36m", "\033[33m", "\033[31m", "\033[1;35m"};
        uint64_t recs = 0;
        for (size_t i = 0; i < nin; i++) recs += sp_hunt_input(h, i)->parsed;
        fprintf(o, "%sspoor hunt%s: %llu detections in %llu events from %zu inputs (%.2f s)\n", B, R,
                (unsigned long long)shown, (unsigned long long)recs, nin, secs);
        if (shown) fprintf(o, "time range: %s .. %s\n", t1, t2);
        fputs("\nby level:", o);
        for (int i = NLEVELS - 1; i >= 0; i--)
            fprintf(o, "  %s%s%s %llu", c->term.color_out ? lc[i] : "", levels[i], R, (unsigned long long)lvl[i]);
        fputc('\n', o);
        if (byrule.n) {
            rules_by_level(&byrule);   /* byrule is in by_count order */
            fprintf(o, "\n%stop rules%s  (highest level first)\n", B, R);
            for (size_t i = 0; i < byrule.n && i < 20; i++) {
                int lr = level_rank(((const sp_rule_info *)byrule.a[i].obj)->level);
                fprintf(o, "  %s%-13s%s %6llu  %s\n", lr >= 0 && c->term.color_out ? lc[lr] : "", lr >= 0 ? levels[lr] : "-", R,
                        (unsigned long long)byrule.a[i].n, tc(byrule.a[i].label));
            }
            if (byrule.n > 20) fprintf(o, "  ... %zu more rules (--json lists them)\n", byrule.n - 20);
        }
        if (byhost.n) {
            fprintf(o, "\n%shosts%s\n", B, R);
            for (size_t i = 0; i < byhost.n && i < 10; i++)
                fprintf(o, "  %6llu  %s\n", (unsigned long long)byhost.a[i].n, tc(byhost.a[i].key));
        }
        if (bytactic.n) {
            fprintf(o, "\n%sATT&CK tactics%s\n ", B, R);
            for (size_t i = 0; i < bytactic.n; i++) fprintf(o, " %s (%llu)", bytactic.a[i].key, (unsigned long long)bytactic.a[i].n);
            fputc('\n', o);
        }
        if (bytech.n) {
            fprintf(o, "\n%sATT&CK techniques%s\n ", B, R);
            for (size_t i = 0; i < bytech.n; i++) {
                char up[64];
                snprintf(up, sizeof up, "%s", bytech.a[i].key);
                for (char *p = up; *p; p++) if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
                fprintf(o, " %s (%llu)", up, (unsigned long long)bytech.a[i].n);
            }
            fputc('\n', o);
        }
        text_ips(o, c, h);
        text_webc2(o, c, h);
        text_analytics(o, c, h);
        fprintf(o, "\n%sinputs%s  (records: parsed / skipped / recovered / errors)\n", B, R);
        for (size_t i = 0; i < nin; i++) {
            const sp_input_stats *s = sp_hunt_input(h, i);
            fprintf(o, "  %-12s %8llu / %llu / %llu / %llu  %5llu det  %s", s->format, (unsigned long long)s->parsed,
                    (unsigned long long)s->skipped, (unsigned long long)s->recovered, (unsigned long long)s->errors,
                    (unsigned long long)s->detections, s->path);
            if (s->skip_reason[0]) fprintf(o, "  [skipped: %s]", s->skip_reason);
            if (s->error[0]) fprintf(o, "  [error: %s]", s->error);
            fputc('\n', o);
        }
        if (c->attribute) {
            fprintf(o, "\n%sattribution%s\n", B, R);
            fflush(o);
            sp_buf *a = attribution(c, h, 0);
            if (a) fwrite(sp_buf_data(a), 1, sp_buf_len(a), o);
            else fputs("  (no assessment: see the message above)\n", o);
            sp_buf_free(a);
        }
    }
    free(byrule.a); free(byhost.a); free(bytech.a); free(bytactic.a);
    free(bylevel.idx); free(byrule.idx); free(byhost.idx); free(bytech.idx); free(bytactic.idx);
}

/* the compiled-rules cache folder: $SPOOR_CACHE_DIR ("off" or "": none),
 * else $XDG_CACHE_HOME/spoor, else $HOME/.cache/spoor; NULL: none */
static const char *rule_cache_dir(char *buf, size_t cap)
{
    const char *e = getenv("SPOOR_CACHE_DIR");
    if (e) return *e && strcmp(e, "off") ? e : NULL;
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (x && x[0] == '/') snprintf(buf, cap, "%s/spoor", x);
    else if (h && h[0] == '/') snprintf(buf, cap, "%s/.cache/spoor", h);
    else return NULL;
    return buf;
}

/* the built-in rule pack: $SPOOR_RULES, else rules/ beside the binary's
 * folder (build/spoor -> rules/), else the installed copy */
static const char *builtin_rules(char *buf, size_t cap)
{
    const char *e = getenv("SPOOR_RULES");
    if (e && *e) return e;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *s = strrchr(exe, '/');
        if (s) {
            *s = 0;
            snprintf(buf, cap, "%s/../rules", exe);
            if (access(buf, R_OK) == 0) return buf;
        }
    }
    if (access("/usr/share/spoor/rules", R_OK) == 0) return "/usr/share/spoor/rules";
    return NULL;
}

int cmd_hunt(int argc, char **argv)
{
    hunt_cli c;
    memset(&c, 0, sizeof c);
    cli_term_init(&c.term);
    const char **sigma = calloc((size_t)argc, sizeof *sigma), **inputs = calloc((size_t)argc, sizeof *inputs);
    c.status = calloc((size_t)argc, sizeof *c.status);
    c.rule_ids = calloc((size_t)argc, sizeof *c.rule_ids);
    int nsigma = 0, ninputs = 0, json = 0, builtin = 1, use_cache = 1, rc = EX_USAGE;
    const char *compiled = NULL;
    const char *timeline = NULL, *logsources = NULL, *config = NULL;
    const char **intel_paths = calloc((size_t)argc, sizeof *intel_paths), **geo_paths = calloc((size_t)argc, sizeof *geo_paths);
    int nintel = 0, ngeo = 0;
    sp_intel *intel = NULL;
    sp_geo *geo = NULL;
    sp_hunt_opts ho = {0};
    sp_ruleset *rs = NULL;
    sp_hunt *h = NULL;
    if (!sigma || !inputs || !c.status || !c.rule_ids || !intel_paths || !geo_paths) { rc = EX_NOINPUT; goto out; }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(usage_hunt, stdout); rc = EX_OK; goto out; }
        else if (!strcmp(a, "--sigma") && more) sigma[nsigma++] = argv[++i];
        else if (!strcmp(a, "--timeline") && more) timeline = argv[++i];
        else if (!strcmp(a, "--intel") && more) intel_paths[nintel++] = argv[++i];
        else if (!strcmp(a, "--geoip") && more) geo_paths[ngeo++] = argv[++i];
        else if (!strcmp(a, "--logsources") && more) logsources = argv[++i];
        else if (!strcmp(a, "--config") && more) config = argv[++i];
        else if (!strcmp(a, "--min-level") && more) {
            c.min_level = level_rank(argv[++i]);
            if (c.min_level < 0) { fprintf(stderr, "spoor hunt: unknown level '%s'\n", argv[i]); goto out; }
        } else if (!strcmp(a, "--status") && more) c.status[c.nstatus++] = argv[++i];
        else if (!strcmp(a, "--rule") && more) c.rule_ids[c.nrule++] = argv[++i];
        else if (!strcmp(a, "--threads") && more) {
            if (cli_parse_uint(argv[++i], &ho.threads)) { fprintf(stderr, "spoor hunt: --threads wants a number\n"); goto out; }
        } else if (!strcmp(a, "--recover")) ho.recover = 1;
        else if (!strcmp(a, "--no-builtin")) builtin = 0;
        else if (!strcmp(a, "--no-rule-cache")) use_cache = 0;
        else if (!strcmp(a, "--compiled-rules") && more) compiled = argv[++i];
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--attribute")) c.attribute = 1;
        else if (!strcmp(a, "--no-profiles")) c.ao.no_profiles = 1;
        else if (!strcmp(a, "--attack") && more) c.ao.attack = argv[++i];
        else if (!strcmp(a, "--victim-sector") && more) c.ao.sector = argv[++i];
        else if (!strcmp(a, "--victim-country") && more) c.ao.country = argv[++i];
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) c.quiet = 1;
        else if (!strcmp(a, "--")) { while (++i < argc) inputs[ninputs++] = argv[i]; }
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "spoor hunt: unknown option '%s' (see --help)\n", a); goto out; }
        else inputs[ninputs++] = a;
    }
    if (!ninputs) { fprintf(stderr, "spoor hunt: no evidence given\n\n%s", usage_hunt); goto out; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char cdir[PATH_MAX];
    sp_sigma_opts so = {logsources, config, use_cache ? rule_cache_dir(cdir, sizeof cdir) : NULL};
    sp_error err;
    if (compiled) {   /* everything was compiled into the file */
        if (nsigma || logsources || config) {
            fprintf(stderr, "spoor hunt: --compiled-rules replaces --sigma, --logsources and --config "
                            "(give those to `spoor rules compile`)\n");
            goto out;
        }
        builtin = 0;
        if (sp_ruleset_load(compiled, &so, &rs, &err) != SP_OK) {
            fprintf(stderr, "spoor hunt: %s: %s\n", compiled, err.msg);
            rc = EX_USAGE;
            goto out;
        }
    } else if (sp_ruleset_new(&so, &rs, &err) != SP_OK) { fprintf(stderr, "spoor hunt: %s\n", err.msg); rc = EX_NOINPUT; goto out; }
    char bbuf[PATH_MAX + 16];
    const char *bpath = builtin ? builtin_rules(bbuf, sizeof bbuf) : NULL;
    if (builtin && !bpath && !c.quiet) fprintf(stderr, "spoor hunt: built-in rules not found (set SPOOR_RULES)\n");
    if (bpath && sp_ruleset_add_path(rs, bpath, &err) != SP_OK)
        fprintf(stderr, "spoor hunt: %s: %s\n", err.file[0] ? err.file : bpath, err.msg);
    for (int i = 0; i < nsigma; i++)
        if (sp_ruleset_add_path(rs, sigma[i], &err) != SP_OK) {
            fprintf(stderr, "spoor hunt: %s: %s\n", err.file[0] ? err.file : sigma[i], err.msg);
            rc = EX_USAGE;
            goto out;
        }
    if (!compiled && sp_ruleset_compile(rs, &err) != SP_OK) { fprintf(stderr, "spoor hunt: %s\n", err.msg); rc = EX_NOINPUT; goto out; }
    sp_ruleset_stats rst;
    sp_ruleset_get_stats(rs, &rst);
    if (!c.quiet) {
        fprintf(stderr, "spoor hunt: %zu rules loaded%s, %zu rejected (spoor rules check lists why)\n", rst.loaded,
                rst.cache == SP_RULE_CACHE_READ ? " from the compiled-rules cache"
                : rst.cache == SP_RULE_CACHE_FILE ? " from the compiled-rules file" : "", rst.rejected);
        if (rst.cache == SP_RULE_CACHE_UNWRITTEN)
            fprintf(stderr, "spoor hunt: the compiled-rules cache could not be written (see --no-rule-cache)\n");
    }
    if (nintel) {
        if (sp_intel_new(NULL, &intel, &err) != SP_OK) { fprintf(stderr, "spoor hunt: %s\n", err.msg); rc = EX_NOINPUT; goto out; }
        for (int i = 0; i < nintel; i++)
            if (sp_intel_load_path(intel, intel_paths[i], &err) != SP_OK) {
                fprintf(stderr, "spoor hunt: %s: %s\n", err.file[0] ? err.file : intel_paths[i], err.msg);
                rc = EX_USAGE;
                goto out;
            }
        if (sp_intel_compile(intel, &err) != SP_OK) { fprintf(stderr, "spoor hunt: %s\n", err.msg); rc = EX_NOINPUT; goto out; }
        if (!c.quiet) {
            /* records refused and patterns spoor cannot evaluate, by id: never dropped silently */
            size_t ni = sp_intel_issue_count(intel);
            for (size_t i = 0; i < ni; i++) {
                sp_intel_issue is;
                if (sp_intel_issue_at(intel, i, &is) == 0 && is.unsupported != 2)
                    fprintf(stderr, "spoor hunt: %s: %s: %s%s\n", is.source, is.where,
                            is.unsupported ? "unsupported pattern: " : "skipped: ", is.reason);
            }
            fprintf(stderr, "spoor hunt: %zu indicators loaded (spoor intel lookup shows what is known of a value)\n",
                    sp_intel_count(intel));
        }
        ho.intel = intel;
    }
    if (sp_geo_new(&geo) == SP_OK) {
        for (int i = 0; i < ngeo; i++)
            if (sp_geo_add_file(geo, geo_paths[i], &err) != SP_OK) {
                fprintf(stderr, "spoor hunt: %s: %s\n", geo_paths[i], err.msg);
                rc = EX_USAGE;
                goto out;
            }
        if (!ngeo) sp_geo_add_default(geo, NULL);
        ho.geo = geo;
    }
    ho.profiles = profiles_cb;
    ho.diag = diag_cb;
    ho.warn = warn_cb;
    ho.progress = progress_cb;
    if (c.min_level > 0 || c.nstatus || c.nrule) ho.keep_rule = keep_rule;
    ho.no_event_copies = !timeline;   /* only the timeline shows events */
    ho.user = &c;
    struct timespec tsetup;
    clock_gettime(CLOCK_MONOTONIC, &tsetup);
    if (sp_hunt_new(rs, &ho, &h, &err) != SP_OK) { fprintf(stderr, "spoor hunt: %s\n", err.msg); rc = EX_NOINPUT; goto out; }
    for (int i = 0; i < ninputs; i++)
        if (sp_hunt_add_path(h, inputs[i], &err) != SP_OK) { fprintf(stderr, "spoor hunt: %s\n", err.msg); rc = EX_NOINPUT; goto out; }
    if (c.term.progress) fputs("\r\033[K", stderr);
    sp_hunt_finish(h, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double setup = (double)(tsetup.tv_sec - t0.tv_sec) + (double)(tsetup.tv_nsec - t0.tv_nsec) / 1e9;
    uint64_t shown = sp_hunt_hit_count(h), readable = 0;
    for (size_t i = 0; i < sp_hunt_input_count(h); i++) {
        const sp_input_stats *s = sp_hunt_input(h, i);
        if (s->parsed || (s->records && !s->errors)) readable++;
    }
    if (timeline) {
        if (sp_hunt_write_timeline(h, timeline, &err) != SP_OK) {
            fprintf(stderr, "spoor hunt: %s: %s\n", err.file, err.msg);
            rc = EX_NOINPUT;
            goto out;
        }
    }
    c.rs = rs;
    c.ao.top = 10;
    print_summary(&c, h, shown, json, secs, setup);
    rc = readable ? (shown ? EX_FOUND : EX_OK) : EX_NOINPUT;
    if (!CLI_FREE_AT_EXIT) return rc;   /* the process ends now (cli.h) */
out:
    sp_hunt_free(h);
    sp_ruleset_free(rs);
    sp_intel_free(intel);
    sp_geo_free(geo);
    sp_kb_free(c.profiles);
    free(intel_paths);
    free(geo_paths);
    free(sigma);
    free(inputs);
    free(c.status);
    free(c.rule_ids);
    return rc;
}

/* ------------------------------------------------------ spoor logons */

static const char usage_logons[] =
    "usage: spoor logons [--json] [--threads N] [-q] FILE|DIR...\n"
    "\n"
    "The logon summary of the evidence (EVTX and JSON exports, also in\n"
    ".gz/.zst/.zip): successful and failed logons by account, logon type,\n"
    "source IP and host (Security 4624/4625, RDP: 4624 type 10, TerminalServices\n"
    "1149, LocalSessionManager 21/25), new and enabled accounts, password resets\n"
    "and group membership changes (4720/4722/4724/4725/4726/4738, 4728/4732/4756\n"
    "and removals), and the operator-hours estimate from that activity.\n"
    "\n"
    "exit codes: 0 done, 2 usage error, 3 nothing could be read\n";

int cmd_logons(int argc, char **argv)
{
    hunt_cli c;
    memset(&c, 0, sizeof c);
    cli_term_init(&c.term);
    int json = 0, ninputs = 0, rc = EX_USAGE;
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    sp_hunt_opts ho = {0};
    sp_ruleset *rs = NULL;
    sp_hunt *h = NULL;
    sp_error err;
    if (!inputs) return EX_NOINPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(usage_logons, stdout); rc = EX_OK; goto out; }
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) c.quiet = 1;
        else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], &ho.threads)) { fprintf(stderr, "spoor logons: --threads wants a number\n"); goto out; }
        } else if (a[0] == '-' && a[1]) { fprintf(stderr, "spoor logons: unknown option '%s'\n", a); goto out; }
        else inputs[ninputs++] = a;
    }
    if (!ninputs) { fprintf(stderr, "%s", usage_logons); goto out; }
    rc = EX_NOINPUT;
    if (sp_ruleset_new(NULL, &rs, &err) != SP_OK || sp_ruleset_compile(rs, &err) != SP_OK) goto out;
    ho.diag = diag_cb;
    ho.warn = warn_cb;
    ho.progress = progress_cb;
    ho.user = &c;
    if (sp_hunt_new(rs, &ho, &h, &err) != SP_OK) goto out;
    for (int i = 0; i < ninputs; i++)
        if (sp_hunt_add_path(h, inputs[i], &err) != SP_OK) goto out;
    if (c.term.progress) fputs("\r\033[K", stderr);
    sp_hunt_finish(h, &err);
    uint64_t readable = 0;
    for (size_t i = 0; i < sp_hunt_input_count(h); i++) readable += sp_hunt_input(h, i)->parsed;
    if (json) {
        fputc('{', stdout);
        json_analytics(stdout, h);
        fputs("}\n", stdout);
    } else {
        text_analytics(stdout, &c, h);
    }
    rc = readable ? EX_OK : EX_NOINPUT;
out:
    sp_hunt_free(h);
    sp_ruleset_free(rs);
    free(inputs);
    return rc;
}
