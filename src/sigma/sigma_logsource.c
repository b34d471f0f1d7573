/*
 * sigma_logsource.c — the logsource map (config/logsources.yml, documented
 * in that file) and routing rules through it.
 *
 * Each entry becomes an sg_lsent with one sg_lsvar (channels, event ids,
 * providers, extra field conditions, renames).  A rule is routed by every
 * entry whose category and service equal its own (absent = absent, compared
 * case-insensitively) and whose product is absent or equal; a rule without a
 * product ignores the entries' product.  No entry: the rule is "unmapped" and
 * only matches events that declare their logsource.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sigma/sigma.h"

static int lerr(sp_error *err, const char *name, const char *fmt, const char *a)
{
    if (err) {
        snprintf(err->file, sizeof err->file, "%s", name);
        err->offset = UINT64_MAX;
        snprintf(err->msg, sizeof err->msg, fmt, a);
    }
    return -1;
}

static const char *opt_lc(sp_ruleset *rs, const ynode *m, const char *key)
{
    const ynode *v = sy_get(m, key);
    if (!v || v->kind != YN_SCALAR || sy_is_null(v)) return NULL;
    char *s = sg_strdup(&rs->ar, v->s, v->len);
    if (s) sg_lower(s, v->len);
    return s;
}

/* scalar or list of scalars -> lowercased strings */
static int str_list_lc(sp_ruleset *rs, const ynode *v, const char ***out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (!v || sy_is_null(v)) return 0;
    uint32_t cnt = v->kind == YN_SEQ ? v->n : v->kind == YN_SCALAR ? 1 : 0;
    if (v->kind == YN_MAP) return -1;
    const char **o = sp_arena_alloc(&rs->ar, (cnt ? cnt : 1) * sizeof *o);
    if (!o) return -1;
    for (uint32_t i = 0; i < cnt; i++) {
        const ynode *e = v->kind == YN_SEQ ? v->kid[i] : v;
        if (e->kind != YN_SCALAR) return -1;
        char *s = sg_strdup(&rs->ar, e->s, e->len);
        if (!s) return -1;
        sg_lower(s, e->len);
        o[i] = s;
    }
    *out = o;
    *n = cnt;
    return 0;
}

int sg_logsources_load_text(sp_ruleset *rs, const char *text, size_t len, const char *name, sp_error *err)
{
    char msg[300];
    ydocs d;
    int rc = -1;
    if (sy_parse(&rs->tmp, text, len, &d, msg, sizeof msg)) { lerr(err, name, "%s", msg); goto out; }
    const ynode *root = d.n ? d.doc[0] : NULL;
    const ynode *list = sy_get(root, "logsources");
    if (!list || list->kind != YN_SEQ) { lerr(err, name, "%s", "no 'logsources:' list"); goto out; }
    rs->ls = sp_arena_zalloc(&rs->ar, (list->n ? list->n : 1) * sizeof *rs->ls);
    if (!rs->ls) { lerr(err, name, "%s", "out of memory"); goto out; }
    rs->nls = 0;
    for (uint32_t i = 0; i < list->n; i++) {
        const ynode *e = list->kid[i];
        sg_lsent *L = &rs->ls[rs->nls];
        char where[64];
        snprintf(where, sizeof where, "entry %u", i + 1);
        if (e->kind != YN_MAP) { lerr(err, name, "%s: not a map", where); goto out; }
        L->product = opt_lc(rs, e, "product");
        L->category = opt_lc(rs, e, "category");
        L->service = opt_lc(rs, e, "service");
        if (str_list_lc(rs, sy_get(e, "channel"), &L->var.chan, &L->var.nchan) ||
            str_list_lc(rs, sy_get(e, "provider"), &L->var.prov, &L->var.nprov)) {
            lerr(err, name, "%s: channel/provider must be a string or a list", where);
            goto out;
        }
        const ynode *eid = sy_get(e, "eventid");
        if (eid && !sy_is_null(eid)) {
            uint32_t cnt = eid->kind == YN_SEQ ? eid->n : 1;
            L->var.eid = sp_arena_alloc(&rs->ar, cnt * sizeof *L->var.eid);
            if (!L->var.eid) { lerr(err, name, "%s", "out of memory"); goto out; }
            for (uint32_t k = 0; k < cnt; k++) {
                int64_t v;
                if (!sy_int(eid->kind == YN_SEQ ? eid->kid[k] : eid, &v) || v < 0 || v > UINT32_MAX) {
                    lerr(err, name, "%s: eventid must be integers", where);
                    goto out;
                }
                L->var.eid[k] = (uint32_t)v;
            }
            L->var.neid = cnt;
        }
        const ynode *ren = sy_get(e, "rename");
        if (ren && !sy_is_null(ren)) {
            if (ren->kind != YN_MAP) { lerr(err, name, "%s: rename must be a map", where); goto out; }
            L->var.ren_from = sp_arena_alloc(&rs->ar, (ren->n + 1) * sizeof(uint32_t));
            L->var.ren_to = sp_arena_alloc(&rs->ar, (ren->n + 1) * sizeof(uint32_t));
            if (!L->var.ren_from || !L->var.ren_to) { lerr(err, name, "%s", "out of memory"); goto out; }
            for (uint32_t k = 0; k < ren->n; k++) {
                const ynode *a = ren->kid[2 * k], *b = ren->kid[2 * k + 1];
                if (a->kind != YN_SCALAR || b->kind != YN_SCALAR) { lerr(err, name, "%s: rename entries are field: field", where); goto out; }
                L->var.ren_from[k] = sg_field_intern(rs, a->s, a->len);
                L->var.ren_to[k] = sg_field_intern(rs, b->s, b->len);
            }
            L->var.nren = ren->n;
        }
        const ynode *m = sy_get(e, "match");
        if (m && !sy_is_null(m)) {
            if (m->kind != YN_MAP) { lerr(err, name, "%s: match must be a map", where); goto out; }
            uint32_t total = 0;
            for (uint32_t k = 0; k < m->n; k++) {
                const ynode *vv = m->kid[2 * k + 1];
                total += vv->kind == YN_SEQ ? vv->n : 1;
            }
            L->var.m_fid = sp_arena_alloc(&rs->ar, (total + 1) * sizeof(uint32_t));
            L->var.m_val = sp_arena_alloc(&rs->ar, (total + 1) * sizeof(char *));
            if (!L->var.m_fid || !L->var.m_val) { lerr(err, name, "%s", "out of memory"); goto out; }
            for (uint32_t k = 0; k < m->n; k++) {
                const ynode *a = m->kid[2 * k];
                const char **vals;
                uint32_t nv;
                if (a->kind != YN_SCALAR || str_list_lc(rs, m->kid[2 * k + 1], &vals, &nv)) {
                    lerr(err, name, "%s: match entries are field: value(s)", where);
                    goto out;
                }
                uint32_t fid = sg_field_intern(rs, a->s, a->len);
                for (uint32_t q = 0; q < nv; q++) {
                    L->var.m_fid[L->var.nm] = fid;
                    L->var.m_val[L->var.nm++] = vals[q];
                }
            }
        }
        rs->nls++;
    }
    rc = 0;
out:
    sp_arena_reset(&rs->tmp);
    return rc;
}

int sg_logsources_load(sp_ruleset *rs, const char *path, sp_error *err)
{
    if (!path) return sg_logsources_load_text(rs, sg_default_logsources, strlen(sg_default_logsources), "(built-in logsources.yml)", err);
    FILE *f = fopen(path, "rb");
    if (!f) return lerr(err, path, "cannot open logsource map: %s", strerror(errno));
    char *buf = malloc(SP_SIGMA_MAX_FILE + 1);
    int rc = -1;
    if (!buf) { lerr(err, path, "%s", "out of memory"); goto out; }
    size_t n = fread(buf, 1, SP_SIGMA_MAX_FILE + 1, f);
    if (n > SP_SIGMA_MAX_FILE) { lerr(err, path, "%s", "logsource map too large"); goto out; }
    rc = sg_logsources_load_text(rs, buf, n, path, err);
out:
    free(buf);
    fclose(f);
    return rc;
}

static int eq_opt(const char *entry, const char *rule)
{
    int e = entry && *entry, r = rule && *rule;
    if (!e && !r) return 1;
    if (e != r) return 0;
    return !strcasecmp(entry, rule);
}

int sg_route_rule(sp_ruleset *rs, sg_rule *r)
{
    const char *prod = r->info.product, *cat = r->info.category, *svc = r->info.service;
    uint32_t n = 0;
    for (uint32_t i = 0; i < rs->nls; i++) {
        const sg_lsent *L = &rs->ls[i];
        if (!eq_opt(L->category, cat) || !eq_opt(L->service, svc)) continue;
        if (L->product && *prod && strcasecmp(L->product, prod)) continue;
        n++;
    }
    r->nvars = 0;
    r->vars = NULL;
    if (!n) { r->unmapped = 1; return 0; }
    r->vars = sp_arena_alloc(&rs->ar, n * sizeof *r->vars);
    if (!r->vars) return -1;
    for (uint32_t i = 0; i < rs->nls; i++) {
        sg_lsent *L = &rs->ls[i];
        if (!eq_opt(L->category, cat) || !eq_opt(L->service, svc)) continue;
        if (L->product && *prod && strcasecmp(L->product, prod)) continue;
        r->vars[r->nvars++] = &L->var;
    }
    r->unmapped = 0;
    return 0;
}

int sg_var_accepts(sp_scanner *sc, const sg_lsvar *v)
{
    const sg_fval **fv;
    if (v->nprov) {
        uint32_t n = sg_lookup_name(sc, "Provider_Name", 13, &fv);
        int ok = 0;
        for (uint32_t i = 0; i < n && !ok; i++)
            for (uint32_t k = 0; k < v->nprov && !ok; k++)
                if (!strcmp(fv[i]->low, v->prov[k])) ok = 1;
        if (!ok) return 0;
    }
    uint32_t i = 0;
    while (i < v->nm) {
        uint32_t fid = v->m_fid[i], j = i;
        const sp_ruleset *rs = sc->rs;
        uint32_t n = sg_lookup_name(sc, rs->fname[fid], rs->fname_len[fid], &fv);
        int ok = 0;
        for (; j < v->nm && v->m_fid[j] == fid; j++)
            for (uint32_t q = 0; q < n && !ok; q++)
                if (!strcmp(fv[q]->low, v->m_val[j])) ok = 1;
        if (!ok) return 0;
        i = j;
    }
    return 1;
}
