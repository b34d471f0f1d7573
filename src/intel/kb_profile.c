/*
 * kb_profile.c — spoor's actor profiles: one YAML document per file
 * (schema: docs/intel.md, "Actor profiles").  A profile is checked in full
 * before anything of it reaches the knowledge base: a broken one is rejected
 * with a reason naming the construct (the rejection names the file) and
 * leaves the kb unchanged.  YAML goes through the Sigma engine's bounded
 * parser (src/sigma/sigma_yaml.c) into a scratch arena.
 *
 * A profile with an ATT&CK group ID (id: G0032) enriches that group: its
 * aliases become lookup names, its techniques and the software it names
 * that ATT&CK knows become group links marked from_profile, with the
 * profile's references as their reports.  A profile with a spoor id
 * (spoor-bianlian) adds a group ATT&CK lacks (in_attack == 0), so it can be
 * tested as a hypothesis like any other.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "intel/kb.h"
#include "base/dirlist.h"
#include "sigma/sigma.h"

enum {
    F_ALIASES, F_COUNTRIES, F_INFRA_COUNTRIES, F_ASNS, F_MOTIVATION, F_MALWARE, F_TOOLS,
    F_TECHNIQUES, F_SECTORS, F_REGIONS, F__LIST, F_INFRA = F__LIST, F_HOURS
};
static const char *const list_fields[F__LIST] = {
    "aliases", "countries", "infra_countries", "asns", "motivation", "malware", "tools",
    "techniques", "sectors", "regions",
};
static const char *const motives[] = {"espionage", "financial", "destructive", "disruption", "hacktivism", "influence", NULL};
static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

typedef struct tclaim {
    int field;                  /* F_* */
    const char *fname;          /* "malware", "infrastructure.bare_ip_c2", ... */
    const char *value;          /* normalised, in the scratch arena */
    const ynode *refs;          /* sequence of reference keys */
    sp_kb_conf conf;
    const char *note;
    uint32_t target;            /* technique / software index when resolved, else KB_NONE */
} tclaim;

typedef struct pctx {
    sp_kb *kb;
    sp_arena tmp;
    char why[400];
    const ynode *root, *refmap;
    tclaim *c;
    size_t n, cap;
    sp_kb_hours hours;
    size_t hours_claim;
} pctx;

static int bad(pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(pctx *p, const char *fmt, ...)
{
    if (!p->why[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->why, sizeof p->why, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static char *tdup(pctx *p, const char *s, size_t n)
{
    char *d = sp_arena_alloc(&p->tmp, n + 1);
    if (d) { memcpy(d, s, n); d[n] = 0; }
    return d;
}

/* a scalar with text (no NUL inside, bounded) */
static const char *scalar(pctx *p, const ynode *n, const char *what)
{
    if (!n || n->kind != YN_SCALAR) { bad(p, "%s: expected a text value", what); return NULL; }
    if (strlen(n->s) != n->len || n->len > SP_KB_MAX_STR) { bad(p, "%s: NUL byte or longer than %d bytes", what, SP_KB_MAX_STR); return NULL; }
    const char *s = n->s;
    while (*s == ' ') s++;
    if (!*s) { bad(p, "%s: empty", what); return NULL; }
    return n->s;
}

static int only_keys(pctx *p, const ynode *map, const char *const *keys, const char *what)
{
    for (uint32_t i = 0; i < map->n; i++) {
        const ynode *k = map->kid[2 * i];
        int ok = 0;
        for (const char *const *q = keys; *q && !ok; q++) ok = k->kind == YN_SCALAR && !strcmp(k->s, *q);
        if (!ok) return bad(p, "%s: unknown key '%.60s'", what, k->kind == YN_SCALAR ? k->s : "?");
    }
    return 0;
}

/* ---------------------------------------------------------- normalising */

static int norm_value(pctx *p, int field, const char *in, const char **out, uint32_t *target)
{
    char buf[SP_KB_MAX_STR + 16];
    size_t l = strlen(in);
    *target = KB_NONE;
    switch (field) {
    case F_COUNTRIES:
    case F_INFRA_COUNTRIES:
        if (l != 2 || !isalpha((unsigned char)in[0]) || !isalpha((unsigned char)in[1]))
            return bad(p, "%s: '%.40s' is not an ISO 3166 alpha-2 code", list_fields[field], in);
        buf[0] = (char)toupper((unsigned char)in[0]);
        buf[1] = (char)toupper((unsigned char)in[1]);
        l = 2;
        break;
    case F_ASNS: {
        const char *d = (in[0] == 'A' || in[0] == 'a') && (in[1] == 'S' || in[1] == 's') ? in + 2 : in;
        char *e;
        unsigned long v = strtoul(d, &e, 10);
        if (!*d || *e || !isdigit((unsigned char)*d) || v == 0 || v > 4294967295ul) return bad(p, "asns: '%.40s' is not an AS number", in);
        l = (size_t)snprintf(buf, sizeof buf, "AS%lu", v);
        break;
    }
    case F_MOTIVATION: {
        int ok = 0;
        for (const char *const *m = motives; *m && !ok; m++) ok = !strcasecmp(in, *m);
        if (!ok) return bad(p, "motivation: '%.40s' is not one of espionage, financial, destructive, disruption, hacktivism, influence", in);
        for (size_t i = 0; i < l; i++) buf[i] = (char)tolower((unsigned char)in[i]);
        break;
    }
    case F_TECHNIQUES: {
        int ok = l >= 5 && (in[0] == 'T' || in[0] == 't') && isdigit((unsigned char)in[1]) && isdigit((unsigned char)in[2]) &&
                 isdigit((unsigned char)in[3]) && isdigit((unsigned char)in[4]) &&
                 (l == 5 || (l == 9 && in[5] == '.' && isdigit((unsigned char)in[6]) && isdigit((unsigned char)in[7]) && isdigit((unsigned char)in[8])));
        if (!ok) return bad(p, "techniques: '%.40s' is not a technique ID (T1234 or T1234.001)", in);
        memcpy(buf, in, l);
        buf[0] = 'T';
        buf[l] = 0;
        if (p->kb->attack_loaded) {
            size_t ti;
            if (!sp_kb_lookup(p->kb, SP_KB_TECHNIQUE, buf, &ti)) return bad(p, "techniques: %s is not in the loaded ATT&CK", buf);
            *target = (uint32_t)ti;
        }
        break;
    }
    case F_SECTORS:
    case F_REGIONS:
        for (size_t i = 0; i < l; i++) buf[i] = (char)tolower((unsigned char)in[i]);
        break;
    case F_MALWARE:
    case F_TOOLS: {
        size_t si;
        if (sp_kb_lookup(p->kb, SP_KB_SOFTWARE, in, &si) && !p->kb->k[SP_KB_SOFTWARE].v[si].deprecated) *target = (uint32_t)si;
        memcpy(buf, in, l);
        break;
    }
    default:
        memcpy(buf, in, l);
        break;
    }
    buf[l] = 0;
    return (*out = tdup(p, buf, l)) ? 0 : bad(p, "out of memory");
}

static int parse_conf(pctx *p, const ynode *n, sp_kb_conf *out, const char *what)
{
    *out = SP_KB_CONF_UNSTATED;
    if (!n) return 0;
    const char *s = scalar(p, n, what);
    if (!s) return -1;
    if (!strcasecmp(s, "low")) *out = SP_KB_CONF_LOW;
    else if (!strcasecmp(s, "medium") || !strcasecmp(s, "moderate")) *out = SP_KB_CONF_MEDIUM;
    else if (!strcasecmp(s, "high")) *out = SP_KB_CONF_HIGH;
    else return bad(p, "%s: confidence must be low, medium or high", what);
    return 0;
}

static int check_refs(pctx *p, const ynode *refs, const char *what)
{
    if (!refs) return bad(p, "%s: no refs (every claim needs a reference)", what);
    if (refs->kind == YN_SCALAR) return bad(p, "%s: refs must be a list", what);
    if (refs->kind != YN_SEQ || refs->n == 0) return bad(p, "%s: refs must be a non-empty list", what);
    for (uint32_t i = 0; i < refs->n; i++) {
        const char *k = scalar(p, refs->kid[i], what);
        if (!k) return -1;
        if (!sy_get(p->refmap, k)) return bad(p, "%s: reference '%.60s' is not defined under references", what, k);
    }
    return 0;
}

static int push(pctx *p, int field, const char *fname, const char *value, const ynode *refs, sp_kb_conf conf,
                const char *note, uint32_t target)
{
    if (p->n >= SP_KB_MAX_CLAIMS) return bad(p, "more than %d claims", SP_KB_MAX_CLAIMS);
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        tclaim *x = realloc(p->c, nc * sizeof *x);
        if (!x) return bad(p, "out of memory");
        p->c = x;
        p->cap = nc;
    }
    p->c[p->n++] = (tclaim){field, fname, value, refs, conf, note ? note : "", target};
    return 0;
}

/* a claim item: {value: X | values: [X, ...], refs: [...], confidence:, note:} */
static int claim_item(pctx *p, int field, const char *fname, const ynode *it)
{
    static const char *const keys[] = {"value", "values", "refs", "confidence", "note", NULL};
    char what[128];
    snprintf(what, sizeof what, "%s", fname);
    if (!it || it->kind != YN_MAP)
        return bad(p, "%s: each item must be a mapping {value: ..., refs: [...]} (every claim needs a reference)", what);
    if (only_keys(p, it, keys, what)) return -1;
    const ynode *v = sy_get(it, "value"), *vs = sy_get(it, "values"), *refs = sy_get(it, "refs");
    if (!v == !vs) return bad(p, "%s: an item needs exactly one of value / values", what);
    if (vs && (vs->kind != YN_SEQ || vs->n == 0)) return bad(p, "%s: values must be a non-empty list", what);
    if (check_refs(p, refs, what)) return -1;
    sp_kb_conf conf;
    if (parse_conf(p, sy_get(it, "confidence"), &conf, what)) return -1;
    const char *note = NULL;
    if (sy_get(it, "note") && !(note = scalar(p, sy_get(it, "note"), what))) return -1;
    uint32_t nv = v ? 1 : vs->n;
    for (uint32_t i = 0; i < nv; i++) {
        const ynode *x = v ? v : vs->kid[i];
        const char *s = scalar(p, x, what), *norm;
        uint32_t target;
        if (!s || norm_value(p, field, s, &norm, &target)) return -1;
        if (push(p, field, fname, norm, refs, conf, note, target)) return -1;
    }
    return 0;
}

static int claim_list(pctx *p, int field, const ynode *list)
{
    const char *fname = list_fields[field];
    if (list->kind != YN_SEQ) return bad(p, "%s: expected a list of {value(s), refs} items", fname);
    for (uint32_t i = 0; i < list->n; i++)
        if (claim_item(p, field, fname, list->kid[i])) return -1;
    return 0;
}

static int infrastructure(pctx *p, const ynode *m)
{
    static const char *const keys[] = {"value", "refs", "confidence", "note", NULL};
    if (m->kind != YN_MAP) return bad(p, "infrastructure: expected a mapping habit -> {value: true|false, refs: [...]}");
    for (uint32_t i = 0; i < m->n; i++) {
        const ynode *k = m->kid[2 * i], *it = m->kid[2 * i + 1];
        const char *habit = scalar(p, k, "infrastructure");
        if (!habit) return -1;
        for (const char *c = habit; *c; c++)
            if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_') || c - habit > 64)
                return bad(p, "infrastructure: habit '%.60s' must be lower-case letters, digits, _", habit);
        char fname[96];
        snprintf(fname, sizeof fname, "infrastructure.%s", habit);
        if (it->kind != YN_MAP) return bad(p, "%s: expected {value: true|false, refs: [...]}", fname);
        if (only_keys(p, it, keys, fname)) return -1;
        int b;
        if (!sy_bool(sy_get(it, "value"), &b)) return bad(p, "%s: value must be true or false", fname);
        if (check_refs(p, sy_get(it, "refs"), fname)) return -1;
        sp_kb_conf conf;
        if (parse_conf(p, sy_get(it, "confidence"), &conf, fname)) return -1;
        const char *note = NULL;
        if (sy_get(it, "note") && !(note = scalar(p, sy_get(it, "note"), fname))) return -1;
        const char *fn = tdup(p, fname, strlen(fname));
        if (!fn || push(p, F_INFRA, fn, b ? "true" : "false", sy_get(it, "refs"), conf, note, KB_NONE)) return bad(p, "out of memory");
    }
    return 0;
}

static int parse_offset(const char *s, int *min)
{
    if (!strncasecmp(s, "UTC", 3)) s += 3;
    int sign = *s == '-' ? -1 : *s == '+' ? 1 : 0;
    if (!sign) return -1;
    s++;
    if (!isdigit((unsigned char)*s)) return -1;
    int h = 0, m = 0, nd = 0;
    while (isdigit((unsigned char)*s) && nd < 2) { h = h * 10 + (*s++ - '0'); nd++; }
    if (*s == ':') {
        s++;
        if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1])) return -1;
        m = (s[0] - '0') * 10 + (s[1] - '0');
        s += 2;
    }
    if (*s || m >= 60) return -1;
    *min = sign * (h * 60 + m);
    return *min < -720 || *min > 840 ? -1 : 0;
}

static int day_of(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (n == 3 && !strncasecmp(s, days[i], 3)) return i;
    return -1;
}

static int working_hours(pctx *p, const ynode *m)
{
    static const char *const keys[] = {"utc_offset", "days", "hours", "refs", "confidence", "note", NULL};
    const char *w = "working_hours";
    if (m->kind != YN_MAP) return bad(p, "%s: expected {utc_offset, days, hours, refs}", w);
    if (only_keys(p, m, keys, w)) return -1;
    sp_kb_hours *h = &p->hours;
    const char *off = scalar(p, sy_get(m, "utc_offset"), "working_hours.utc_offset");
    if (!off) return -1;
    if (parse_offset(off, &h->utc_offset_min)) return bad(p, "working_hours.utc_offset: '%.40s' is not like +09:00 or UTC-5", off);
    const char *hr = scalar(p, sy_get(m, "hours"), "working_hours.hours");
    if (!hr) return -1;
    int a, b, used = 0;
    if (sscanf(hr, "%2d-%2d%n", &a, &b, &used) != 2 || hr[used] || a < 0 || b > 24 || a >= b)
        return bad(p, "working_hours.hours: '%.40s' is not like 08-18 (local, start < end)", hr);
    h->start_hour = a;
    h->end_hour = b;
    const ynode *d = sy_get(m, "days");
    if (!d) return bad(p, "working_hours.days: missing (e.g. mon-fri)");
    h->weekdays = 0;
    if (d->kind == YN_SCALAR) {
        const char *s = scalar(p, d, "working_hours.days"), *dash = s ? strchr(s, '-') : NULL;
        if (!s) return -1;
        int x = dash ? day_of(s, (size_t)(dash - s)) : day_of(s, strlen(s)), y = dash ? day_of(dash + 1, strlen(dash + 1)) : x;
        if (x < 0 || y < 0 || x > y) return bad(p, "working_hours.days: '%.40s' is not like mon-fri", s);
        for (int i = x; i <= y; i++) h->weekdays |= 1u << i;
    } else if (d->kind == YN_SEQ && d->n) {
        for (uint32_t i = 0; i < d->n; i++) {
            const char *s = scalar(p, d->kid[i], "working_hours.days");
            int x = s ? day_of(s, strlen(s)) : -1;
            if (x < 0) return bad(p, "working_hours.days: expected mon, tue, ... sun");
            h->weekdays |= 1u << x;
        }
    } else return bad(p, "working_hours.days: expected mon-fri or a list of days");
    if (check_refs(p, sy_get(m, "refs"), w)) return -1;
    sp_kb_conf conf;
    if (parse_conf(p, sy_get(m, "confidence"), &conf, w)) return -1;
    const char *note = NULL;
    if (sy_get(m, "note") && !(note = scalar(p, sy_get(m, "note"), w))) return -1;
    char val[96], dl[40] = "";
    size_t k = 0;
    for (int i = 0; i < 7; i++)
        if (h->weekdays >> i & 1) k += (size_t)snprintf(dl + k, sizeof dl - k, "%s%s", k ? "," : "", days[i]);
    snprintf(val, sizeof val, "%c%02d:%02d %s %02d-%02d", h->utc_offset_min < 0 ? '-' : '+', abs(h->utc_offset_min) / 60,
             abs(h->utc_offset_min) % 60, dl, a, b);
    const char *v = tdup(p, val, strlen(val));
    h->known = 1;
    p->hours_claim = p->n;
    return v ? push(p, F_HOURS, "working_hours", v, sy_get(m, "refs"), conf, note, KB_NONE) : bad(p, "out of memory");
}

static int references(pctx *p, const ynode *m)
{
    static const char *const keys[] = {"url", "title", "date", "publisher", "note", NULL};
    if (!m || m->kind != YN_MAP || m->n == 0) return bad(p, "references: missing or empty (a mapping key -> {url, title})");
    for (uint32_t i = 0; i < m->n; i++) {
        const char *k = scalar(p, m->kid[2 * i], "references");
        const ynode *r = m->kid[2 * i + 1];
        if (!k) return -1;
        char what[96];
        snprintf(what, sizeof what, "references.%.60s", k);
        if (r->kind != YN_MAP) return bad(p, "%s: expected {url, title}", what);
        if (only_keys(p, r, keys, what)) return -1;
        const char *url = scalar(p, sy_get(r, "url"), what), *title;
        if (!url) return -1;
        if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)) return bad(p, "%s: url must start with https:// or http://", what);
        if (!(title = scalar(p, sy_get(r, "title"), what))) return -1;
        for (const char *const *q = keys + 2; *q; q++)
            if (sy_get(r, *q) && !scalar(p, sy_get(r, *q), what)) return -1;
    }
    return 0;
}

static int is_gid(const char *s)
{
    return s[0] == 'G' && strlen(s) == 5 && strspn(s + 1, "0123456789") == 4;
}

static int is_spoor_id(const char *s)
{
    if (strncmp(s, "spoor-", 6) || !s[6] || strlen(s) > 64) return 0;
    for (const char *c = s + 6; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-')) return 0;
    return 1;
}

/* validate the whole document into p (nothing touches the kb) */
static int validate(pctx *p, const ynode *root, const char **id, const char **name, const char **attack_id, const char **cluster)
{
    static const char *const keys[] = {"id", "name", "attack_id", "cluster", "aliases", "countries", "infra_countries",
                                       "asns", "motivation", "malware", "tools", "techniques", "sectors", "regions",
                                       "infrastructure", "working_hours", "references", "notes", "updated", NULL};
    if (!root || root->kind != YN_MAP) return bad(p, "a profile must be a YAML mapping");
    if (only_keys(p, root, keys, "profile")) return -1;
    p->refmap = sy_get(root, "references");
    if (references(p, p->refmap)) return -1;
    if (!(*id = scalar(p, sy_get(root, "id"), "id")) || !(*name = scalar(p, sy_get(root, "name"), "name")) ||
        !(*cluster = scalar(p, sy_get(root, "cluster"), "cluster")))
        return -1;
    if (!is_gid(*id) && !is_spoor_id(*id)) return bad(p, "id: '%.60s' is neither an ATT&CK group ID (G0032) nor a spoor id (spoor-name)", *id);
    for (const char *c = *cluster; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-')) return bad(p, "cluster: '%.40s' must be lower-case letters, digits, -", *cluster);
    *attack_id = "";
    if (sy_get(root, "attack_id")) {
        if (!(*attack_id = scalar(p, sy_get(root, "attack_id"), "attack_id"))) return -1;
        if (!is_gid(*attack_id)) return bad(p, "attack_id: '%.40s' is not an ATT&CK group ID", *attack_id);
        if (strcmp(*attack_id, *id)) return bad(p, "attack_id %s differs from id %.60s (a profile of an ATT&CK group has its ID as id)", *attack_id, *id);
    } else if (is_gid(*id))
        *attack_id = *id;
    for (const char *const *k = (const char *const[]){"notes", "updated", NULL}; *k; k++)
        if (sy_get(root, *k) && !scalar(p, sy_get(root, *k), *k)) return -1;
    for (int f = 0; f < F__LIST; f++) {
        const ynode *l = sy_get(root, list_fields[f]);
        if (l && claim_list(p, f, l)) return -1;
    }
    int has_motive = 0;
    for (size_t i = 0; i < p->n; i++) has_motive |= p->c[i].field == F_MOTIVATION;
    if (!has_motive) return bad(p, "motivation: missing (espionage, financial, destructive, ...)");
    if (sy_get(root, "infrastructure") && infrastructure(p, sy_get(root, "infrastructure"))) return -1;
    if (sy_get(root, "working_hours") && working_hours(p, sy_get(root, "working_hours"))) return -1;
    return 0;
}

static int reject(sp_kb *kb, const char *file, const char *why)
{
    if (kb->nrej == kb->cap_rej) {
        size_t nc = kb->cap_rej ? kb->cap_rej * 2 : 8;
        sp_kb_rejection *r = realloc(kb->rej, nc * sizeof *r);
        if (!r) return -1;
        kb->rej = r;
        kb->cap_rej = nc;
    }
    const char *f = kb_strdup(kb, file, strlen(file)), *w = kb_strdup(kb, why, strlen(why));
    if (!f || !w) return -1;
    kb->rej[kb->nrej++] = (sp_kb_rejection){f, w};
    return 0;
}

/* the kb's report keys of a claim's refs */
static uint32_t *claim_reports(pctx *p, const ynode *refs, size_t *n)
{
    sp_kb *kb = p->kb;
    uint32_t *r = sp_arena_alloc(&kb->ar, (refs->n + 1) * sizeof *r);
    if (!r) return NULL;
    *n = 0;
    for (uint32_t i = 0; i < refs->n; i++) {
        const ynode *ref = sy_get(p->refmap, refs->kid[i]->s);
        const char *url = sy_get(ref, "url")->s, *title = sy_get(ref, "title")->s;
        uint32_t k = kb_add_report(kb, title, strlen(title), url, strlen(url), 1);
        if (k == KB_NONE) return NULL;
        int dup = 0;
        for (size_t j = 0; j < *n && !dup; j++) dup = r[j] == k;
        if (!dup) r[(*n)++] = k;
    }
    return r;
}

static const char **values_of(sp_kb *kb, const sp_kb_claim *c, size_t nc, const char *field, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < nc; i++) k += !strcmp(c[i].field, field);
    const char **v = sp_arena_alloc(&kb->ar, (k + 1) * sizeof *v);
    if (!v) return NULL;
    *n = 0;
    for (size_t i = 0; i < nc; i++) {
        if (strcmp(c[i].field, field)) continue;
        int dup = 0;
        for (size_t j = 0; j < *n && !dup; j++) dup = !strcasecmp(v[j], c[i].value);
        if (!dup) v[(*n)++] = c[i].value;
    }
    v[*n] = NULL;
    return v;
}

/* everything checked: copy into the kb and link */
static int commit(pctx *p, const char *file, const char *id, const char *name, const char *attack_id, const char *cluster,
                  uint32_t g)
{
    sp_kb *kb = p->kb;
    sp_kb_profile *pr = sp_arena_zalloc(&kb->ar, sizeof *pr);
    sp_kb_claim *cl = sp_arena_zalloc(&kb->ar, (p->n + 1) * sizeof *cl);
    if (!pr || !cl) return -1;
    if (kb->nprofiles == kb->cap_profiles) {
        size_t nc = kb->cap_profiles ? kb->cap_profiles * 2 : 32;
        sp_kb_profile **x = realloc(kb->profiles, nc * sizeof *x);
        if (!x) return -1;
        kb->profiles = x;
        kb->cap_profiles = nc;
    }
    if (!(pr->file = kb_strdup(kb, file, strlen(file))) || !(pr->id = kb_strdup(kb, id, strlen(id))) ||
        !(pr->name = kb_strdup(kb, name, strlen(name))) || !(pr->attack_id = kb_strdup(kb, attack_id, strlen(attack_id))) ||
        !(pr->cluster = kb_strdup(kb, cluster, strlen(cluster))))
        return -1;
    for (size_t i = 0; i < p->n; i++) {
        const tclaim *t = &p->c[i];
        sp_kb_claim *c = &cl[i];
        if (!(c->field = kb_strdup(kb, t->fname, strlen(t->fname))) || !(c->value = kb_strdup(kb, t->value, strlen(t->value))) ||
            !(c->note = kb_strdup(kb, t->note, strlen(t->note))) || !(c->reports = claim_reports(p, t->refs, &c->nreports)))
            return -1;
        c->confidence = t->conf;
    }
    pr->claims = cl;
    pr->nclaims = p->n;
    if (!(pr->countries = values_of(kb, cl, p->n, "countries", &pr->ncountries)) ||
        !(pr->infra_countries = values_of(kb, cl, p->n, "infra_countries", &pr->ninfra_countries)) ||
        !(pr->motivations = values_of(kb, cl, p->n, "motivation", &pr->nmotivations)) ||
        !(pr->sectors = values_of(kb, cl, p->n, "sectors", &pr->nsectors)) ||
        !(pr->regions = values_of(kb, cl, p->n, "regions", &pr->nregions)))
        return -1;
    size_t nm = 0, nt = 0;
    const char **mal = values_of(kb, cl, p->n, "malware", &nm), **tools = values_of(kb, cl, p->n, "tools", &nt);
    const char **all = sp_arena_alloc(&kb->ar, (nm + nt + 1) * sizeof *all);
    if (!mal || !tools || !all) return -1;
    memcpy(all, mal, nm * sizeof *all);
    memcpy(all + nm, tools, nt * sizeof *all);
    all[nm + nt] = NULL;
    pr->malware = all;
    pr->nmalware = nm + nt;
    uint32_t *asn = sp_arena_alloc(&kb->ar, (p->n + 1) * sizeof *asn);
    if (!asn) return -1;
    for (size_t i = 0; i < p->n; i++) {
        if (p->c[i].field != F_ASNS) continue;
        uint32_t v = (uint32_t)strtoul(cl[i].value + 2, NULL, 10);
        int dup = 0;
        for (size_t j = 0; j < pr->nasns && !dup; j++) dup = asn[j] == v;
        if (!dup) asn[pr->nasns++] = v;
    }
    pr->asns = asn;
    pr->hours = p->hours;
    if (p->hours.known) pr->hours.claim = &cl[p->hours_claim];
    /* the group */
    if (g == KB_NONE) {
        g = kb_add_obj(kb, SP_KB_GROUP, id, name, NULL, 0, 0, 0);
        if (g == KB_NONE) return -1;
        kb->k[SP_KB_GROUP].v[g].in_attack = 0;
    }
    size_t na = 0;
    const char **al = values_of(kb, cl, p->n, "aliases", &na);
    if (!al || (na && kb_add_aliases(kb, SP_KB_GROUP, g, al, na))) return -1;
    if (strcasecmp(name, kb->k[SP_KB_GROUP].v[g].name) && kb_add_aliases(kb, SP_KB_GROUP, g, &name, 1)) return -1;
    for (size_t i = 0; i < p->n; i++) {
        const tclaim *t = &p->c[i];
        if (t->target == KB_NONE) continue;
        sp_kb_kind tk = t->field == F_TECHNIQUES ? SP_KB_TECHNIQUE : SP_KB_SOFTWARE;
        if (kb_add_rel(kb, KB_R_USES, SP_KB_GROUP, g, tk, t->target, cl[i].reports, cl[i].nreports, 1)) return -1;
    }
    kb->k[SP_KB_GROUP].v[g].profile = pr;
    kb->profiles[kb->nprofiles++] = pr;
    return 0;
}

/* add one profile; returns 0 (loaded or rejected) or -1 (memory) */
static int add_one(sp_kb *kb, const char *file, const char *text, size_t len)
{
    pctx p;
    memset(&p, 0, sizeof p);
    p.kb = kb;
    sp_arena_init(&p.tmp, 64 * 1024);
    ydocs d;
    char msg[300];
    const char *id = NULL, *name = NULL, *attack_id = NULL, *cluster = NULL;
    uint32_t g = KB_NONE;
    int rc = 0;
    if (kb->nprofiles >= SP_KB_MAX_PROFILES) bad(&p, "more than %d profiles", SP_KB_MAX_PROFILES);
    else if (len > SP_KB_MAX_PROFILE_FILE) bad(&p, "file larger than %u bytes", (unsigned)SP_KB_MAX_PROFILE_FILE);
    else if (memchr(text, 0, len)) bad(&p, "NUL byte in the file");
    else if (sy_parse(&p.tmp, text, len, &d, msg, sizeof msg)) bad(&p, "%s", msg);
    else if (d.n != 1 || !d.doc[0]) bad(&p, "a profile file holds exactly one YAML document (found %u)", d.n);
    else if (!validate(&p, d.doc[0], &id, &name, &attack_id, &cluster)) {
        /* the group it describes */
        if (*attack_id) {
            size_t gi;
            if (kb->attack_loaded) {
                uint32_t e = kb_find(kb, SP_KB_GROUP, attack_id, strlen(attack_id));
                if (e == KB_NONE || strcmp(kb->k[SP_KB_GROUP].v[e].id, attack_id)) bad(&p, "id: %s is not a group of the loaded ATT&CK", attack_id);
                else if (kb->k[SP_KB_GROUP].v[e].revoked && sp_kb_lookup(kb, SP_KB_GROUP, attack_id, &gi))
                    bad(&p, "id: %s was revoked by %s: profile that group", attack_id, kb->k[SP_KB_GROUP].v[gi].id);
                else if (kb->k[SP_KB_GROUP].v[e].deprecated) bad(&p, "id: %s is deprecated in the loaded ATT&CK", attack_id);
                else g = e;
            }
        }
        if (!p.why[0] && g == KB_NONE) {
            /* a group of its own: its id, name and aliases must not name another group */
            uint32_t e = kb_find(kb, SP_KB_GROUP, id, strlen(id));
            if (e != KB_NONE) bad(&p, "id: %.60s already names group %s", id, kb->k[SP_KB_GROUP].v[e].id);
            for (size_t i = 0; i < p.n && !p.why[0]; i++) {
                const char *nm = p.c[i].value;
                if (p.c[i].field != F_ALIASES) continue;
                if ((e = kb_find(kb, SP_KB_GROUP, nm, strlen(nm))) != KB_NONE)
                    bad(&p, "aliases: '%.60s' already names group %s (%s)%s", nm, kb->k[SP_KB_GROUP].v[e].id,
                        kb->k[SP_KB_GROUP].v[e].name, kb->k[SP_KB_GROUP].v[e].in_attack ? ": profile it with its ATT&CK id" : "");
            }
            if (!p.why[0] && (e = kb_find(kb, SP_KB_GROUP, name, strlen(name))) != KB_NONE)
                bad(&p, "name: '%.60s' already names group %s%s", name, kb->k[SP_KB_GROUP].v[e].id,
                    kb->k[SP_KB_GROUP].v[e].in_attack ? ": profile it with its ATT&CK id" : "");
        }
        if (!p.why[0] && g != KB_NONE && kb->k[SP_KB_GROUP].v[g].profile)
            bad(&p, "id: %s already has a profile (%s)", attack_id, kb->k[SP_KB_GROUP].v[g].profile->file);
        if (!p.why[0] && commit(&p, file, id, name, attack_id, cluster, g)) rc = -1;
    }
    if (rc == 0 && p.why[0] && reject(kb, file, p.why)) rc = -1;
    free(p.c);
    sp_arena_fini(&p.tmp);
    return rc;
}

sp_status sp_kb_add_profile_yaml(sp_kb *kb, const char *name, const char *text, size_t len, sp_error *err)
{
    if (!kb || (!text && len)) return SP_ERR_ARG;
    double t0 = kb_now_ms();
    if (add_one(kb, name ? name : "(memory)", text ? text : "", len) || kb_build(kb)) {
        kb_err(err, name, UINT64_MAX, "out of memory");
        return SP_ERR_NOMEM;
    }
    kb->st.profiles_load_ms += kb_now_ms() - t0;
    return SP_OK;
}

static int has_ext(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && !strcmp(n + l - 4, ".yml")) || (l > 5 && !strcmp(n + l - 5, ".yaml"));
}

static int load_file(sp_kb *kb, const char *path, sp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) { kb_err(err, path, UINT64_MAX, "cannot open: %s", strerror(errno)); if (err) err->sys_errno = errno; return -1; }
    char *buf = malloc(SP_KB_MAX_PROFILE_FILE + 2);
    if (!buf) { fclose(f); kb_err(err, path, UINT64_MAX, "out of memory"); return -1; }
    size_t n = fread(buf, 1, SP_KB_MAX_PROFILE_FILE + 1, f);
    int rc = 0;
    if (ferror(f)) { kb_err(err, path, UINT64_MAX, "read error"); if (err) err->sys_errno = EIO; rc = -1; }
    else if (add_one(kb, path, buf, n)) { kb_err(err, path, UINT64_MAX, "out of memory"); rc = -1; }
    fclose(f);
    free(buf);
    return rc;
}

static int load_path(sp_kb *kb, const char *path, int depth, sp_error *err)
{
    struct stat st;
    if (stat(path, &st)) { kb_err(err, path, UINT64_MAX, "%s", strerror(errno)); if (err) err->sys_errno = errno; return -1; }
    if (!S_ISDIR(st.st_mode)) return load_file(kb, path, err);
    if (depth > SP_KB_MAX_DIR_DEPTH) return 0;
    char **names;
    size_t n;
    if (sp_dir_list(path, 1, &names, &n)) {
        kb_err(err, path, UINT64_MAX, "%s%s", errno == ENOMEM ? "" : "cannot open folder: ", strerror(errno));
        if (err) err->sys_errno = errno;
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct stat cs;
        if (stat(names[i], &cs) == 0) {
            if (S_ISDIR(cs.st_mode)) rc = load_path(kb, names[i], depth + 1, err);
            else if (S_ISREG(cs.st_mode) && has_ext(names[i])) rc = load_file(kb, names[i], err);
        }
    }
    sp_dir_list_free(names, n);
    return rc;
}

sp_status sp_kb_add_profiles(sp_kb *kb, const char *path, sp_error *err)
{
    if (!kb || !path) return SP_ERR_ARG;
    double t0 = kb_now_ms();
    int rc = load_path(kb, path, 0, err);
    if (kb_build(kb)) { kb_err(err, path, UINT64_MAX, "out of memory"); return SP_ERR_NOMEM; }
    kb->st.profiles_load_ms += kb_now_ms() - t0;
    if (rc) return err && err->sys_errno ? SP_ERR_IO : SP_ERR_NOMEM;
    return SP_OK;
}
