/*
 * evidence.c — sp_evidence: what a hunt found, gathered for attribution.
 *
 * Items are kept as given (ids, names, addresses); the model resolves them
 * against the knowledge base when assessing, so one evidence object can be
 * assessed against several models.  Repeated items merge (counts add, the
 * highest level and the best status win, hosts are counted by hash).
 *
 * JSON (sp_evidence_parse_json, jansson): either the output of
 * `spoor hunt --json` — its "attribution_evidence" object, else its
 * top-level "techniques" list — or an evidence file written by hand or by a
 * script.  Both shapes are one reader: list elements may be strings or
 * objects; unknown keys are ignored; a known key with the wrong type is an
 * error naming it.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "attr/attr_int.h"

double attr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int attr_ci_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

char *attr_strdup(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return 0;
    if (n >= SP_ATTR_MAX_ITEMS) return -2;
    size_t nc = *cap ? *cap * 2 : 8;
    void *q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}
#define GROW(ev, name) grow((void **)&(ev)->name, &(ev)->cap_##name, (ev)->n##name, sizeof *(ev)->name)
static sp_status grow_status(int r) { return r == -2 ? SP_ERR_LIMIT : SP_ERR_NOMEM; }

sp_status sp_evidence_new(sp_evidence **out)
{
    if (!out) return SP_ERR_ARG;
    sp_evidence *ev = calloc(1, sizeof *ev);
    if (!ev) return SP_ERR_NOMEM;
    ev->bare_ip = -1;
    *out = ev;
    return SP_OK;
}

void sp_evidence_free(sp_evidence *ev)
{
    if (!ev) return;
    free(ev->tech);
    for (size_t i = 0; i < ev->nsw; i++) free(ev->sw[i].s);
    for (size_t i = 0; i < ev->nmal; i++) free(ev->mal[i].s);
    for (size_t i = 0; i < ev->ncc; i++) free(ev->cc[i].s);
    for (size_t i = 0; i < ev->nip; i++) { free(ev->ip[i].ip); free(ev->ip[i].role); }
    for (size_t i = 0; i < ev->nioc; i++) { free(ev->ioc[i].ioc); free(ev->ioc[i].actor); }
    free(ev->sw); free(ev->mal); free(ev->cc); free(ev->ip); free(ev->asn); free(ev->ioc);
    free(ev->sector); free(ev->vcountry);
    free(ev);
}

size_t sp_evidence_size(const sp_evidence *ev)
{
    return ev ? ev->ntech + ev->nsw + ev->nmal + ev->nip + ev->ncc + ev->nasn + ev->nioc : 0;
}

/* ------------------------------------------------------------- identifiers */

static const char *strip_attack(const char *s)
{
    return (!strncmp(s, "attack.", 7) || !strncmp(s, "ATTACK.", 7)) ? s + 7 : s;
}

int ev_norm_technique(const char *in, char out[16])
{
    const char *s = strip_attack(in);
    if (*s != 'T' && *s != 't') return 0;
    size_t d = 0;
    for (s++; isdigit((unsigned char)s[d]); d++) ;
    if (d != 4) return 0;
    const char *sub = s + 4;
    if (*sub == '.') {
        size_t e = 0;
        while (isdigit((unsigned char)sub[1 + e])) e++;
        if (e != 3 || sub[4]) return 0;
    } else if (*sub) return 0;
    out[0] = 'T';
    snprintf(out + 1, 15, "%s", s);
    return 1;
}

int ev_norm_software(const char *in, char out[16])
{
    const char *s = strip_attack(in);
    if (*s != 'S' && *s != 's') return 0;
    size_t d = 0;
    for (s++; isdigit((unsigned char)s[d]); d++) ;
    if (d != 4 || s[d]) return 0;
    out[0] = 'S';
    snprintf(out + 1, 15, "%s", s);
    return 1;
}

int ev_level_rank(const char *s)
{
    static const char *const lv[] = {"informational", "low", "medium", "high", "critical"};
    if (!s) return 0;
    for (int i = 0; i < 5; i++) if (attr_ci_eq(s, lv[i])) return i + 1;
    return 0;
}

int ev_status_rank(const char *s)
{
    if (!s || !*s) return 0;
    if (attr_ci_eq(s, "stable")) return 1;
    if (attr_ci_eq(s, "test")) return 2;
    if (attr_ci_eq(s, "experimental")) return 3;
    if (attr_ci_eq(s, "deprecated") || attr_ci_eq(s, "unsupported")) return 4;
    return 0;
}

/* How much one technique observation is worth, in (0, 1]: rule level (a
 * low-level rule fires on benign activity too), rule status, and how many
 * events and hosts show it.  Stated without detail (an evidence file), 1. */
double ev_tech_strength(const ev_tech *t)
{
    static const double lvf[6] = {1.0, 0.35, 0.55, 0.8, 1.0, 1.0};
    static const double stf[5] = {1.0, 1.0, 0.95, 0.85, 0.6};
    double v = lvf[t->level] * stf[t->status];
    if (t->count) {
        double vol = 0.8 + 0.1 * log2((double)t->count);   /* 1 event 0.8, 4 events 1.0 */
        if (t->hosts >= 2) vol += 0.1;
        v *= vol > 1.0 ? 1.0 : vol;
    }
    return v;
}

/* ----------------------------------------------------------------- adding */

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (uint8_t)tolower((unsigned char)*s)) * 16777619u;
    return h;
}

sp_status sp_evidence_add_technique(sp_evidence *ev, const char *id, uint64_t count,
                                    const char *max_level, const char *status, unsigned hosts)
{
    char tid[16];
    if (!ev || !id || !ev_norm_technique(id, tid)) return SP_ERR_ARG;
    ev_tech *t = NULL;
    for (size_t i = 0; i < ev->ntech; i++)
        if (!strcmp(ev->tech[i].id, tid)) { t = &ev->tech[i]; break; }
    if (!t) {
        int r = GROW(ev, tech);
        if (r) return grow_status(r);
        t = &ev->tech[ev->ntech++];
        memset(t, 0, sizeof *t);
        memcpy(t->id, tid, sizeof tid);
    }
    t->count = t->count + count < t->count ? UINT64_MAX : t->count + count;
    int lv = ev_level_rank(max_level);
    if (lv > t->level) t->level = lv;
    int st = ev_status_rank(status);
    if (st && (!t->status || st < t->status)) t->status = st;
    if (hosts > t->hosts) t->hosts = hosts;
    return SP_OK;
}

static sp_status add_named(ev_named **v, size_t *n, size_t *cap, const char *s, uint64_t count)
{
    for (size_t i = 0; i < *n; i++)
        if (attr_ci_eq((*v)[i].s, s)) { (*v)[i].count += count; return SP_OK; }
    int r = grow((void **)v, cap, *n, sizeof **v);
    if (r) return grow_status(r);
    char *d = attr_strdup(s);
    if (!d) return SP_ERR_NOMEM;
    (*v)[*n].s = d;
    (*v)[*n].count = count;
    (*n)++;
    return SP_OK;
}

static int plain_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max;
}

sp_status sp_evidence_add_software(sp_evidence *ev, const char *id_or_name, uint64_t count)
{
    if (!ev || !id_or_name || !plain_text(id_or_name, 256)) return SP_ERR_ARG;
    char sid[16];
    const char *s = ev_norm_software(id_or_name, sid) ? sid : id_or_name;
    return add_named(&ev->sw, &ev->nsw, &ev->cap_sw, s, count ? count : 1);
}

sp_status sp_evidence_add_malware(sp_evidence *ev, const char *name)
{
    if (!ev || !name || !plain_text(name, 256)) return SP_ERR_ARG;
    return add_named(&ev->mal, &ev->nmal, &ev->cap_mal, name, 1);
}

static int norm_cc(const char *in, char out[3])
{
    if (!in || strlen(in) != 2 || !isalpha((unsigned char)in[0]) || !isalpha((unsigned char)in[1])) return 0;
    out[0] = (char)toupper((unsigned char)in[0]);
    out[1] = (char)toupper((unsigned char)in[1]);
    out[2] = 0;
    return 1;
}

sp_status sp_evidence_add_country(sp_evidence *ev, const char *country)
{
    char cc[3];
    if (!ev || !norm_cc(country, cc)) return SP_ERR_ARG;
    return add_named(&ev->cc, &ev->ncc, &ev->cap_cc, cc, 1);
}

sp_status sp_evidence_add_asn(sp_evidence *ev, uint32_t asn)
{
    if (!ev || !asn) return SP_ERR_ARG;
    for (size_t i = 0; i < ev->nasn; i++) if (ev->asn[i] == asn) return SP_OK;
    int r = GROW(ev, asn);
    if (r) return grow_status(r);
    ev->asn[ev->nasn++] = asn;
    return SP_OK;
}

sp_status sp_evidence_add_ip(sp_evidence *ev, const char *ip, const char *country, uint32_t asn, const char *role)
{
    if (!ev || !ip || !plain_text(ip, 64)) return SP_ERR_ARG;
    char cc[3] = "";
    if (country && *country && !norm_cc(country, cc)) return SP_ERR_ARG;
    if (role && strlen(role) > 64) return SP_ERR_ARG;
    for (size_t i = 0; i < ev->nip; i++)
        if (!strcmp(ev->ip[i].ip, ip) && !strcmp(ev->ip[i].role, role ? role : "")) {
            if (!ev->ip[i].cc[0]) memcpy(ev->ip[i].cc, cc, 3);
            if (!ev->ip[i].asn) ev->ip[i].asn = asn;
            return SP_OK;
        }
    int r = GROW(ev, ip);
    if (r) return grow_status(r);
    ev_ip *x = &ev->ip[ev->nip];
    memset(x, 0, sizeof *x);
    x->ip = attr_strdup(ip);
    x->role = attr_strdup(role ? role : "");
    if (!x->ip || !x->role) { free(x->ip); free(x->role); return SP_ERR_NOMEM; }
    memcpy(x->cc, cc, 3);
    x->asn = asn;
    ev->nip++;
    return SP_OK;
}

sp_status sp_evidence_add_ioc_actor(sp_evidence *ev, const char *ioc, const char *actor)
{
    if (!ev || !ioc || !actor || !plain_text(ioc, 1024) || !plain_text(actor, 256)) return SP_ERR_ARG;
    for (size_t i = 0; i < ev->nioc; i++)
        if (!strcmp(ev->ioc[i].ioc, ioc) && attr_ci_eq(ev->ioc[i].actor, actor)) return SP_OK;
    int r = GROW(ev, ioc);
    if (r) return grow_status(r);
    ev_ioc *x = &ev->ioc[ev->nioc];
    x->ioc = attr_strdup(ioc);
    x->actor = attr_strdup(actor);
    if (!x->ioc || !x->actor) { free(x->ioc); free(x->actor); return SP_ERR_NOMEM; }
    ev->nioc++;
    return SP_OK;
}

static int conf_rank(const char *s)
{
    if (!s || !*s) return 1;
    if (attr_ci_eq(s, "high")) return 3;
    if (attr_ci_eq(s, "moderate") || attr_ci_eq(s, "medium")) return 2;
    if (attr_ci_eq(s, "low")) return 1;
    return 0;
}

sp_status sp_evidence_set_hours(sp_evidence *ev, int utc_offset_min, const char *confidence, uint64_t events)
{
    int c = conf_rank(confidence);
    if (!ev || !c || utc_offset_min < -12 * 60 || utc_offset_min > 14 * 60) return SP_ERR_ARG;
    ev->hours_known = 1;
    ev->utc_off = utc_offset_min;
    ev->hours_conf = c;
    ev->hours_events = events;
    return SP_OK;
}

/* Fraction of events in a Monday-Friday 08:00-19:00 day at each whole-hour
 * offset; the best offset is the middle of the best-scoring run. */
sp_status sp_evidence_fit_hours(sp_evidence *ev, const int64_t *times_ms, size_t n)
{
    if (!ev || !times_ms || n < 8) return SP_ERR_ARG;
    double frac[27];
    for (int o = -12; o <= 14; o++) {
        size_t in = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t s = times_ms[i] / 1000 + (int64_t)o * 3600;
            int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
            int hour = (int)((s - days * 86400) / 3600);
            int wd = (int)(((days % 7) + 7 + 3) % 7);    /* 1970-01-01 was a Thursday: 0 = Monday */
            if (wd < 5 && hour >= 8 && hour < 19) in++;
        }
        frac[o + 12] = (double)in / (double)n;
    }
    double best = -1;
    for (int i = 0; i < 27; i++) if (frac[i] > best) best = frac[i];
    int a = -1, b = -1, bl = 0;           /* the longest run at the best value */
    for (int i = 0; i < 27;) {
        if (frac[i] < best - 1e-9) { i++; continue; }
        int j = i;
        while (j + 1 < 27 && frac[j + 1] >= best - 1e-9) j++;
        if (j - i + 1 > bl) { bl = j - i + 1; a = i; b = j; }
        i = j + 1;
    }
    int off = ((a + b) / 2 - 12) * 60;
    /* a sharp fit (few offsets reach the best) over many events is worth more */
    int conf = 1;
    if (n >= 20 && best >= 0.75 && bl <= 3) conf = 2;
    if (n >= 50 && best >= 0.9 && bl <= 2) conf = 3;
    ev->hours_known = 1;
    ev->utc_off = off;
    ev->hours_conf = conf;
    ev->hours_events = n;
    return SP_OK;
}

void sp_evidence_set_bare_ip_c2(sp_evidence *ev, int seen)
{
    if (ev) ev->bare_ip = seen > 0 ? 1 : seen == 0 ? 0 : -1;
}

sp_status sp_evidence_set_victim(sp_evidence *ev, const char *sector, const char *country)
{
    if (!ev) return SP_ERR_ARG;
    if (sector && *sector) {
        if (strlen(sector) > 256) return SP_ERR_ARG;
        char *d = attr_strdup(sector);
        if (!d) return SP_ERR_NOMEM;
        for (char *p = d; *p; p++) *p = (char)tolower((unsigned char)*p);
        free(ev->sector);
        ev->sector = d;
    }
    if (country && *country) {
        if (strlen(country) > 128) return SP_ERR_ARG;
        char *d = attr_strdup(country);
        if (!d) return SP_ERR_NOMEM;
        free(ev->vcountry);
        ev->vcountry = d;
    }
    return SP_OK;
}

sp_status sp_evidence_add_hit(sp_evidence *ev, const sp_rule_info *rule, const char *host)
{
    if (!ev || !rule) return SP_ERR_ARG;
    uint32_t hh = host && *host ? fnv(host) : 0;
    for (size_t i = 0; i < rule->ntags; i++) {
        const char *tg = rule->tags[i];
        char id[16];
        if (ev_norm_technique(tg, id)) {
            sp_status s = sp_evidence_add_technique(ev, id, 1, rule->level, rule->status, 0);
            if (s) return s;
            if (!hh) continue;
            for (size_t k = 0; k < ev->ntech; k++) {
                ev_tech *t = &ev->tech[k];
                if (strcmp(t->id, id)) continue;
                unsigned j = 0;
                while (j < t->nhash && t->host_hash[j] != hh) j++;
                if (j == t->nhash && t->nhash < EV_HOSTS_KEPT) t->host_hash[t->nhash++] = hh;
                if (t->nhash > t->hosts) t->hosts = t->nhash;
                break;
            }
        } else if (ev_norm_software(tg, id)) {
            sp_status s = sp_evidence_add_software(ev, id, 1);
            if (s) return s;
        }
    }
    return SP_OK;
}

/* -------------------------------------------------------------------- JSON */

typedef struct jctx { sp_evidence *ev; sp_error *err; const char *name; } jctx;

static sp_status jfail(jctx *c, sp_status s, const char *fmt, const char *a, const char *b)
{
    /* fmt always has two %s */
    if (c->err) {
        snprintf(c->err->file, sizeof c->err->file, "%s", c->name);
        c->err->offset = UINT64_MAX;
        snprintf(c->err->msg, sizeof c->err->msg, fmt, a ? a : "", b ? b : "");
    }
    return s;
}

static sp_status want(jctx *c, const json_t *v, int arr, const char *key)
{
    if (!v) return SP_OK;
    if (arr ? json_is_array(v) : json_is_object(v)) return SP_OK;
    return jfail(c, SP_ERR_FORMAT, "\"%s\": expected %s", key, arr ? "an array" : "an object");
}

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static uint64_t juint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return d > 0 && d < 1e18 ? (uint64_t)d : 0;
    }
    return 0;
}

static sp_status item_err(jctx *c, sp_status s, const char *key, const char *what)
{
    if (s == SP_ERR_ARG) return jfail(c, SP_ERR_FORMAT, "\"%s\": bad item %.200s", key, what);
    return jfail(c, s, "\"%s\": %s", key, sp_status_str(s));
}

static sp_status j_techniques(jctx *c, const json_t *arr, const char *key)
{
    sp_status s = want(c, arr, 1, key);
    if (s || !arr) return s;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        const char *id = json_is_string(e) ? json_string_value(e) : json_is_object(e) ? jstr(e, "id") : NULL;
        if (!id) return jfail(c, SP_ERR_FORMAT, "\"%s\": each item must be a technique id or {\"id\": ...}%s", key, "");
        uint64_t count = json_is_object(e) ? juint(e, "count") : 0;
        const char *lv = json_is_object(e) ? jstr(e, "max_level") : NULL;
        if (json_is_object(e) && !lv) lv = jstr(e, "level");
        const char *st = json_is_object(e) ? jstr(e, "status") : NULL;
        unsigned hosts = json_is_object(e) ? (unsigned)(juint(e, "hosts") > 1000000 ? 1000000 : juint(e, "hosts")) : 0;
        s = sp_evidence_add_technique(c->ev, id, count, lv, st, hosts);
        if (s) return item_err(c, s, key, id);
    }
    return SP_OK;
}

static sp_status j_software(jctx *c, const json_t *arr, const char *key)
{
    sp_status s = want(c, arr, 1, key);
    if (s || !arr) return s;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        const char *id = json_is_string(e) ? json_string_value(e) : json_is_object(e) ? jstr(e, "id") : NULL;
        if (json_is_object(e) && !id) id = jstr(e, "name");
        if (!id) return jfail(c, SP_ERR_FORMAT, "\"%s\": each item must be a software id or name, or {\"id\": ...}%s", key, "");
        s = sp_evidence_add_software(c->ev, id, json_is_object(e) ? juint(e, "count") : 1);
        if (s) return item_err(c, s, key, id);
    }
    return SP_OK;
}

static sp_status j_strings(jctx *c, const json_t *arr, const char *key, sp_status (*add)(sp_evidence *, const char *))
{
    sp_status s = want(c, arr, 1, key);
    if (s || !arr) return s;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        const char *v = json_is_string(e) ? json_string_value(e) : json_is_object(e) ? jstr(e, "name") : NULL;
        if (!v) return jfail(c, SP_ERR_FORMAT, "\"%s\": each item must be a string%s", key, "");
        s = add(c->ev, v);
        if (s) return item_err(c, s, key, v);
    }
    return SP_OK;
}

static int parse_asn(const json_t *v, uint32_t *out)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0 || x > 4294967295LL) return 0;
        *out = (uint32_t)x;   /* 0: unknown (spoor hunt writes it so) */
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!strncmp(s, "AS", 2) || !strncmp(s, "as", 2)) s += 2;
        char *e;
        if (!isdigit((unsigned char)*s)) return 0;
        unsigned long long x = strtoull(s, &e, 10);
        if (*e || !x || x > 4294967295ULL) return 0;
        *out = (uint32_t)x;
        return 1;
    }
    return 0;
}

static sp_status j_asns(jctx *c, const json_t *arr, const char *key)
{
    sp_status s = want(c, arr, 1, key);
    if (s || !arr) return s;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        uint32_t a;
        if (!parse_asn(e, &a)) return jfail(c, SP_ERR_FORMAT, "\"%s\": each item must be an AS number (131279 or \"AS131279\")%s", key, "");
        s = sp_evidence_add_asn(c->ev, a);
        if (s) return item_err(c, s, key, "asn");
    }
    return SP_OK;
}

static sp_status j_ips(jctx *c, const json_t *arr, const char *key)
{
    sp_status s = want(c, arr, 1, key);
    if (s || !arr) return s;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        const char *ip = json_is_string(e) ? json_string_value(e) : json_is_object(e) ? jstr(e, "ip") : NULL;
        if (!ip) return jfail(c, SP_ERR_FORMAT, "\"%s\": each item must be an address or {\"ip\": ...}%s", key, "");
        const char *cc = NULL, *role = NULL;
        uint32_t asn = 0;
        if (json_is_object(e)) {
            cc = jstr(e, "country");
            role = jstr(e, "role");
            const json_t *a = json_object_get(e, "asn");
            if (a && !json_is_null(a) && !parse_asn(a, &asn)) return jfail(c, SP_ERR_FORMAT, "\"%s\": bad asn for %.200s", key, ip);
        }
        s = sp_evidence_add_ip(c->ev, ip, cc, asn, role);
        if (s) return item_err(c, s, key, ip);
    }
    return SP_OK;
}

static sp_status j_iocs(jctx *c, const json_t *arr, const char *key)
{
    sp_status s = want(c, arr, 1, key);
    if (s || !arr) return s;
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        const char *ioc = json_is_object(e) ? jstr(e, "ioc") : NULL;
        if (ioc && !*ioc) ioc = NULL;
        if (json_is_object(e) && !ioc) ioc = jstr(e, "value");
        const char *actor = json_is_object(e) ? jstr(e, "actor") : NULL;
        if (!ioc || !actor) return jfail(c, SP_ERR_FORMAT, "\"%s\": each item must be {\"ioc\": ..., \"actor\": ...}%s", key, "");
        s = sp_evidence_add_ioc_actor(c->ev, ioc, actor);
        if (s) return item_err(c, s, key, ioc);
    }
    return SP_OK;
}

static sp_status add_malware_fn(sp_evidence *ev, const char *s) { return sp_evidence_add_malware(ev, s); }
static sp_status add_country_fn(sp_evidence *ev, const char *s) { return sp_evidence_add_country(ev, s); }

static sp_status j_hours(jctx *c, const json_t *h)
{
    if (h && json_is_null(h)) return SP_OK;             /* no fit */
    sp_status s = want(c, h, 0, "hours");
    if (s || !h) return s;
    const json_t *o = json_object_get(h, "utc_offset_min");
    if (!o || json_is_null(o)) return SP_OK;            /* no fit */
    if (!json_is_integer(o)) return jfail(c, SP_ERR_FORMAT, "\"hours\": utc_offset_min must be an integer (minutes)%s%s", "", "");
    json_int_t off = json_integer_value(o);
    const char *conf = jstr(h, "confidence");
    if (conf && !strcmp(conf, "none")) return SP_OK;     /* no activity to fit */
    if (off < -720 || off > 840 || (conf && !conf_rank(conf)))
        return jfail(c, SP_ERR_FORMAT, "\"hours\": bad utc_offset_min or confidence%s%s", "", "");
    return sp_evidence_set_hours(c->ev, (int)off, conf ? conf : "moderate", juint(h, "events"));
}

static sp_status j_object(jctx *c, const json_t *o, int top_techniques)
{
    sp_status s;
    if ((s = j_techniques(c, json_object_get(o, "techniques"), "techniques"))) return s;
    (void)top_techniques;
    if ((s = j_software(c, json_object_get(o, "software"), "software"))) return s;
    if ((s = j_strings(c, json_object_get(o, "malware_names"), "malware_names", add_malware_fn))) return s;
    if ((s = j_strings(c, json_object_get(o, "malware"), "malware", add_malware_fn))) return s;
    if ((s = j_strings(c, json_object_get(o, "countries"), "countries", add_country_fn))) return s;
    if ((s = j_asns(c, json_object_get(o, "asns"), "asns"))) return s;
    if ((s = j_ips(c, json_object_get(o, "ips"), "ips"))) return s;
    if ((s = j_iocs(c, json_object_get(o, "iocs"), "iocs"))) return s;
    if ((s = j_hours(c, json_object_get(o, "hours")))) return s;
    const json_t *b = json_object_get(o, "bare_ip_c2");
    if (b && !json_is_null(b)) {
        if (!json_is_boolean(b)) return jfail(c, SP_ERR_FORMAT, "\"bare_ip_c2\": expected true or false%s%s", "", "");
        sp_evidence_set_bare_ip_c2(c->ev, json_is_true(b));
    }
    const json_t *vs = json_object_get(o, "victim_sector"), *vc = json_object_get(o, "victim_country");
    if ((vs && !json_is_string(vs) && !json_is_null(vs)) || (vc && !json_is_string(vc) && !json_is_null(vc)))
        return jfail(c, SP_ERR_FORMAT, "\"victim_sector\" / \"victim_country\": expected a string%s%s", "", "");
    s = sp_evidence_set_victim(c->ev, json_is_string(vs) ? json_string_value(vs) : NULL,
                               json_is_string(vc) ? json_string_value(vc) : NULL);
    if (s) return jfail(c, s == SP_ERR_ARG ? SP_ERR_FORMAT : s, "victim: %s%s", sp_status_str(s), "");
    return SP_OK;
}

sp_status sp_evidence_parse_json(sp_evidence *ev, const char *text, size_t len, const char *name, sp_error *err)
{
    if (!ev || (!text && len)) return SP_ERR_ARG;
    jctx c = {ev, err, name ? name : "(evidence)"};
    if (len > SP_ATTR_MAX_JSON) return jfail(&c, SP_ERR_LIMIT, "input larger than %s%s", "256 MiB", "");
    json_error_t je;
    json_t *root = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (err) {
            snprintf(err->file, sizeof err->file, "%s", c.name);
            err->offset = (uint64_t)(je.position > 0 ? je.position : 0);
            snprintf(err->msg, sizeof err->msg, "not JSON: %s (line %d)", je.text, je.line);
        }
        return SP_ERR_FORMAT;
    }
    sp_status s;
    if (!json_is_object(root)) s = jfail(&c, SP_ERR_FORMAT, "expected a JSON object%s%s", "", "");
    else {
        const json_t *ae = json_object_get(root, "attribution_evidence");
        if (ae && !json_is_null(ae)) {
            s = want(&c, ae, 0, "attribution_evidence");
            if (!s) s = j_object(&c, ae, 0);
            /* the hunt summary's own list, when the evidence has none */
            if (!s && !json_object_get(ae, "techniques"))
                s = j_techniques(&c, json_object_get(root, "techniques"), "techniques");
            /* what the user adds beside it (victim) */
            if (!s) {
                const json_t *vs = json_object_get(root, "victim_sector"), *vc = json_object_get(root, "victim_country");
                if (json_is_string(vs) || json_is_string(vc))
                    s = sp_evidence_set_victim(ev, json_is_string(vs) ? json_string_value(vs) : NULL,
                                               json_is_string(vc) ? json_string_value(vc) : NULL);
                if (s == SP_ERR_ARG) s = jfail(&c, SP_ERR_FORMAT, "victim: %s%s", "bad value", "");
            }
        } else
            s = j_object(&c, root, 1);
    }
    json_decref(root);
    return s;
}
