/*
 * ioc_csv.c — CSV files and plain lists of indicators.
 *
 *   value[,type][,actor][,comment]        (no header)
 *
 * A header line (first field "value", "indicator", "ioc", "observable" or a
 * type name) is recognised and maps columns by name: value, type, actor
 * (also threat_actor, group, intrusion_set, attribution), malware, campaign,
 * comment (description, note), confidence, tags (labels).  A header naming
 * a single type ("md5") makes it the default type of the file.  Fields may
 * be quoted ("a,b" with "" escapes); tab-separated files are recognised.
 * Values are refanged (hxxp, [.], (.)).  Composite types ("filename|md5",
 * "ip-dst|port") split value and type on '|'.  '#' and '//' lines are
 * comments; in one-column lists " #" starts a trailing comment.
 *
 * Every line is accounted for: loaded, skipped with a reason (an issue
 * "line N"), or ignored (blank, comment, header).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/ioc_int.h"

#define MAXF 16

typedef struct fld { const char *s; size_t n; } fld;

enum { C_VALUE, C_TYPE, C_ACTOR, C_MALWARE, C_CAMPAIGN, C_COMMENT, C_CONF, C_TAGS, C__N };

typedef struct actor_cache {
    char key[128];
    size_t klen;
    const sp_ioc_link *links;
    size_t n;
} actor_cache;

typedef struct csv_ctx {
    sp_intel *in;
    uint32_t src;
    int col[C__N];
    sp_ioc_type default_type;
    actor_cache cache[32];
    size_t ncache, next;
} csv_ctx;

static void trim(fld *f)
{
    while (f->n && isspace((unsigned char)*f->s)) { f->s++; f->n--; }
    while (f->n && isspace((unsigned char)f->s[f->n - 1])) f->n--;
}

/* split one line; quoted fields are unescaped into scratch */
static size_t split(const char *s, size_t n, char sep, fld *out, char *scratch, size_t scap)
{
    size_t nf = 0, i = 0, used = 0;
    for (;;) {
        if (nf == MAXF) break;
        while (i < n && (s[i] == ' ' || s[i] == '\t') && s[i] != sep) i++;
        if (i < n && s[i] == '"') {
            i++;
            char *o = scratch + used;
            size_t on = 0;
            while (i < n) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        if (used + on < scap) o[on++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (used + on < scap) o[on++] = s[i];
                i++;
            }
            out[nf].s = o;
            out[nf].n = on;
            used += on;
            while (i < n && s[i] != sep) i++;
        } else {
            size_t st = i;
            while (i < n && s[i] != sep) i++;
            out[nf].s = s + st;
            out[nf].n = i - st;
        }
        trim(&out[nf]);
        nf++;
        if (i >= n) break;
        i++;   /* separator */
    }
    return nf;
}

static int eq_any(const fld *f, const char *const *names)
{
    for (; *names; names++)
        if (strlen(*names) == f->n && !strncasecmp(f->s, *names, f->n)) return 1;
    return 0;
}

static int header(csv_ctx *c, const fld *f, size_t nf)
{
    static const char *const v[] = {"value", "indicator", "ioc", "observable", "iocs", "indicator_value", NULL};
    static const char *const t[] = {"type", "kind", "ioc_type", "indicator_type", "category", NULL};
    static const char *const a[] = {"actor", "threat_actor", "threat-actor", "group", "intrusion_set", "intrusion-set",
                                    "attribution", "apt", NULL};
    static const char *const m[] = {"malware", "family", "malware_family", NULL};
    static const char *const cp[] = {"campaign", NULL};
    static const char *const cm[] = {"comment", "comments", "description", "note", "notes", "context", NULL};
    static const char *const cf[] = {"confidence", "score", NULL};
    static const char *const tg[] = {"tags", "labels", "tag", NULL};
    int is_hdr = 0;
    if (eq_any(&f[0], v)) is_hdr = 1;
    else if (sp_ioc_type_parse(f[0].s, f[0].n) != SP_IOC_NONE && sp_ioc_detect(f[0].s, f[0].n) == SP_IOC_NONE) {
        is_hdr = 1;
        c->default_type = sp_ioc_type_parse(f[0].s, f[0].n);
    }
    if (!is_hdr) return 0;
    for (int k = 0; k < C__N; k++) c->col[k] = -1;
    c->col[C_VALUE] = 0;
    for (size_t i = 1; i < nf; i++) {
        const fld *x = &f[i];
        int *slot = eq_any(x, v) ? &c->col[C_VALUE] : eq_any(x, t) ? &c->col[C_TYPE] : eq_any(x, a) ? &c->col[C_ACTOR]
                  : eq_any(x, m) ? &c->col[C_MALWARE] : eq_any(x, cp) ? &c->col[C_CAMPAIGN]
                  : eq_any(x, cm) ? &c->col[C_COMMENT] : eq_any(x, cf) ? &c->col[C_CONF]
                  : eq_any(x, tg) ? &c->col[C_TAGS] : NULL;
        if (slot && *slot < 0) *slot = (int)i;
    }
    return 1;
}

/* links of an actor / malware / campaign cell, cached by text */
static int links_for(csv_ctx *c, const fld *actor, const fld *mal, const fld *camp, const sp_ioc_link **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    size_t total = actor->n + mal->n + camp->n;
    if (!total) return 0;
    char key[128];
    int cacheable = total + 2 < sizeof key;
    size_t kl = 0;
    if (cacheable) {
        memcpy(key, actor->s, actor->n);
        kl = actor->n;
        key[kl++] = 1;
        memcpy(key + kl, mal->s, mal->n);
        kl += mal->n;
        key[kl++] = 1;
        memcpy(key + kl, camp->s, camp->n);
        kl += camp->n;
        for (size_t i = 0; i < c->ncache; i++)
            if (c->cache[i].klen == kl && !memcmp(c->cache[i].key, key, kl)) {
                *out = c->cache[i].links;
                *nout = c->cache[i].n;
                return 0;
            }
    }
    sp_ioc_link tmp[SP_INTEL_MAX_LINKS];
    size_t n = 0;
    const fld *cells[3] = {actor, mal, camp};
    static const char *const kinds[3] = {"threat-actor", "malware", "campaign"};
    for (int k = 0; k < 3; k++) {
        const char *s = cells[k]->s;
        size_t len = cells[k]->n, i = 0;
        while (i < len && n < SP_INTEL_MAX_LINKS) {
            size_t j = i;
            while (j < len && s[j] != ';' && s[j] != '|') j++;
            char name[256], id[32];
            ioc_split_attack_id(s + i, j - i, name, sizeof name, id, sizeof id);
            if (name[0] || id[0]) {
                const char *kind = kinds[k];
                if (k == 0 && id[0] == 'G') kind = "intrusion-set";
                if (k == 1 && id[0] == 'S') kind = "malware";
                tmp[n].kind = kind;
                tmp[n].name = ioc_strdup(c->in, name, strlen(name));
                tmp[n].attack_id = ioc_strdup(c->in, id, strlen(id));
                tmp[n].ref = "";
                if (!tmp[n].name || !tmp[n].attack_id) return -1;
                n++;
            }
            i = j + 1;
        }
    }
    if (!n) return 0;
    sp_ioc_link *l = sp_arena_alloc(&c->in->arena, n * sizeof *l);
    if (!l) return -1;
    memcpy(l, tmp, n * sizeof *l);
    if (cacheable) {
        actor_cache *e = c->ncache < 32 ? &c->cache[c->ncache++] : &c->cache[c->next++ % 32];
        memcpy(e->key, key, kl);
        e->klen = kl;
        e->links = l;
        e->n = n;
    }
    *out = l;
    *nout = n;
    return 0;
}

static const fld *col(const fld *f, size_t nf, int i)
{
    static const fld empty = {"", 0};
    return i >= 0 && (size_t)i < nf ? &f[i] : &empty;
}

static void issue(csv_ctx *c, size_t line, const char *why, const fld *v)
{
    char w[32], r[400];
    int wl = snprintf(w, sizeof w, "line %zu", line);
    snprintf(r, sizeof r, "%s: '%.*s'", why, (int)(v->n > 200 ? 200 : v->n), v->s);
    ioc_issue_add(c->in, c->src, w, (size_t)wl, r, 0);
    c->in->srcs[c->src].pub.skipped++;
}

sp_status ioc_load_csv(sp_intel *in, uint32_t src, const char *data, size_t len)
{
    csv_ctx c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.src = src;
    for (int k = 0; k < C__N; k++) c.col[k] = -1;
    c.col[C_VALUE] = 0;
    c.col[C_TYPE] = 1;
    c.col[C_ACTOR] = 2;
    c.col[C_COMMENT] = 3;
    sp_intel_source *ps = &in->srcs[src].pub;
    const char *srcname = ps->path;
    char *scratch = malloc(SP_INTEL_MAX_VALUE * 4 + 64);
    char *vbuf = malloc(SP_INTEL_MAX_VALUE + 64);
    if (!scratch || !vbuf) {
        free(scratch);
        free(vbuf);
        return SP_ERR_NOMEM;
    }
    sp_status st = SP_OK;
    char sep = 0;
    int seen_data = 0;
    size_t line = 0, i = 0;
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
        i = 3;
    while (i < len && st == SP_OK) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        const char *s = data + i;
        size_t n = e - i;
        i = e + 1;
        line++;
        ps->records++;
        while (n && (s[n - 1] == '\r' || isspace((unsigned char)s[n - 1]))) n--;
        while (n && isspace((unsigned char)*s)) { s++; n--; }
        if (!n || s[0] == '#' || (n >= 2 && s[0] == '/' && s[1] == '/')) {
            ps->ignored++;
            continue;
        }
        if (n > SP_INTEL_MAX_VALUE * 4) {
            fld v = {s, 40};
            issue(&c, line, "line too long", &v);
            continue;
        }
        if (!sep) sep = (memchr(s, '\t', n) && !memchr(s, ',', n)) ? '\t' : ',';
        fld f[MAXF];
        size_t nf = split(s, n, sep, f, scratch, SP_INTEL_MAX_VALUE * 4);
        if (!seen_data) {
            seen_data = 1;
            if (header(&c, f, nf)) {
                ps->ignored++;
                continue;
            }
        }
        fld v = *col(f, nf, c.col[C_VALUE]);
        if (nf == 1 && v.n) {                  /* "value # comment" in lists */
            for (size_t k = 1; k + 1 < v.n; k++)
                if (v.s[k] == '#' && isspace((unsigned char)v.s[k - 1])) {
                    v.n = k;
                    trim(&v);
                    break;
                }
        }
        if (!v.n) {
            issue(&c, line, "no value", &v);
            continue;
        }
        const fld *tf = col(f, nf, c.col[C_TYPE]);
        sp_ioc_type types[2] = {c.default_type, SP_IOC_NONE};
        fld parts[2] = {v, {"", 0}};
        size_t nparts = 1;
        if (tf->n && !(tf->n == 4 && !strncasecmp(tf->s, "auto", 4))) {
            const char *bar = memchr(tf->s, '|', tf->n);
            if (bar && memchr(v.s, '|', v.n)) {       /* composite */
                const char *vb = memchr(v.s, '|', v.n);
                types[0] = sp_ioc_type_parse(tf->s, (size_t)(bar - tf->s));
                types[1] = sp_ioc_type_parse(bar + 1, tf->n - (size_t)(bar - tf->s) - 1);
                if (!strncasecmp(tf->s, "filename", 8)) types[0] = SP_IOC_FILENAME;
                parts[0] = (fld){v.s, (size_t)(vb - v.s)};
                parts[1] = (fld){vb + 1, v.n - (size_t)(vb - v.s) - 1};
                nparts = 2;
                if (types[0] == SP_IOC_NONE && types[1] == SP_IOC_NONE) {
                    issue(&c, line, "unknown type", tf);
                    continue;
                }
            } else {
                types[0] = sp_ioc_type_parse(tf->s, tf->n);
                if (types[0] == SP_IOC_NONE) {
                    issue(&c, line, "unknown type", tf);
                    continue;
                }
                if (bar) {                          /* "ip-dst|port" with a bare value */
                    const char *vb = memchr(v.s, '|', v.n);
                    if (vb) parts[0].n = (size_t)(vb - v.s);
                }
            }
        }
        sp_ioc_meta m;
        memset(&m, 0, sizeof m);
        char idb[32];
        int il = snprintf(idb, sizeof idb, "line %zu", line);
        m.id = ioc_strdup(in, idb, (size_t)il);
        m.source = srcname;
        const fld *cm = col(f, nf, c.col[C_COMMENT]);
        m.comment = ioc_strdup(in, cm->s, cm->n);
        m.name = "";
        m.confidence = in->opts.default_confidence;
        m.to_ids = 1;
        const fld *cf = col(f, nf, c.col[C_CONF]);
        if (cf->n) {
            char t[16];
            if (cf->n < sizeof t) {
                memcpy(t, cf->s, cf->n);
                t[cf->n] = 0;
                char *ep;
                long cv = strtol(t, &ep, 10);
                if (!*ep && cv >= 0 && cv <= 100) m.confidence = (int)cv;
            }
        }
        const fld *tg = col(f, nf, c.col[C_TAGS]);
        if (tg->n) {
            const char *lab[SP_INTEL_MAX_LABELS];
            size_t nl2 = 0, k = 0;
            while (k < tg->n && nl2 < SP_INTEL_MAX_LABELS) {
                size_t j = k;
                while (j < tg->n && tg->s[j] != ';' && tg->s[j] != '|') j++;
                fld t = {tg->s + k, j - k};
                trim(&t);
                if (t.n && !(lab[nl2] = ioc_strdup(in, t.s, t.n))) break;
                if (t.n) nl2++;
                k = j + 1;
            }
            const char **la = nl2 ? sp_arena_alloc(&in->arena, nl2 * sizeof *la) : NULL;
            if (la) {
                memcpy(la, lab, nl2 * sizeof *la);
                m.labels = la;
                m.nlabels = nl2;
            }
        }
        if (!m.id || !m.comment ||
            links_for(&c, col(f, nf, c.col[C_ACTOR]), col(f, nf, c.col[C_MALWARE]), col(f, nf, c.col[C_CAMPAIGN]),
                      &m.links, &m.nlinks)) {
            st = SP_ERR_NOMEM;
            break;
        }
        int added = 0;
        const char *why = NULL;
        for (size_t k = 0; k < nparts; k++) {
            if (types[k] == SP_IOC_NONE && nparts == 2) continue;   /* "|port" */
            size_t vl = ioc_refang(parts[k].s, parts[k].n, vbuf, SP_INTEL_MAX_VALUE + 64);
            const char *w;
            sp_status r = ioc_add_value(in, types[k], vbuf, vl, &m, &w);
            if (r == SP_OK) {
                added++;
                ps->values++;
            } else if (r == SP_ERR_FORMAT) {
                why = w;
            } else {
                st = r;
                break;
            }
        }
        if (st != SP_OK) break;
        if (added) ps->loaded++;
        else issue(&c, line, why ? why : "nothing to load", &v);
    }
    free(scratch);
    free(vbuf);
    return st;
}
