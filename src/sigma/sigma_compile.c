/*
 * sigma_compile.c — YAML documents -> compiled rules, correlations, filters.
 *
 * A document with `correlation:` is a correlation rule, one with `filter:`
 * (and no detection) a filter, one with `detection:` a detection rule;
 * anything else is rejected.  Every rejection records the file, the rule's
 * id/title when known and a reason naming the construct.  Detection
 * identifiers compile to:
 *   map            AND of its entries (each `Field|mods: value(s)`)
 *   list of maps   OR of the maps
 *   list of values keyword search (OR, or AND with '|all')
 *   scalar         keyword search for that value
 * Conditions (a string or a list of strings, OR-ed) then reference the
 * identifiers (sigma_cond.c).
 */
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sigma/sigma.h"
#include "base/dirlist.h"

/* ------------------------------------------------------------ fields */

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 16777619u; }
    return h;
}

uint32_t sg_field_intern(sp_ruleset *rs, const char *name, size_t len)
{
    if (rs->fhash_cap == 0 || (rs->nfields + 1) * 2 > rs->fhash_cap) {
        uint32_t nc = rs->fhash_cap ? rs->fhash_cap * 2 : 256;
        uint32_t *nh = calloc(nc, sizeof *nh);
        if (!nh) return UINT32_MAX - 1;
        for (uint32_t i = 0; i < rs->nfields; i++) {
            uint32_t h = hash_bytes(rs->fname[i], rs->fname_len[i]) & (nc - 1);
            while (nh[h]) h = (h + 1) & (nc - 1);
            nh[h] = i + 1;
        }
        free(rs->fhash);
        rs->fhash = nh;
        rs->fhash_cap = nc;
    }
    uint32_t h = hash_bytes(name, len) & (rs->fhash_cap - 1);
    while (rs->fhash[h]) {
        uint32_t f = rs->fhash[h] - 1;
        if (rs->fname_len[f] == len && !memcmp(rs->fname[f], name, len)) return f;
        h = (h + 1) & (rs->fhash_cap - 1);
    }
    if (rs->nfields == rs->cap_fields) {
        uint32_t nc = rs->cap_fields ? rs->cap_fields * 2 : 256;
        const char **nn = realloc(rs->fname, nc * sizeof *nn);
        if (!nn) return UINT32_MAX - 1;
        rs->fname = nn;
        uint32_t *nl = realloc(rs->fname_len, nc * sizeof *nl);
        if (!nl) return UINT32_MAX - 1;
        rs->fname_len = nl;
        rs->cap_fields = nc;
    }
    char *s = sg_strdup(&rs->ar, name, len);
    if (!s) return UINT32_MAX - 1;
    rs->fname[rs->nfields] = s;
    rs->fname_len[rs->nfields] = (uint32_t)len;
    rs->fhash[h] = rs->nfields + 1;
    return rs->nfields++;
}

/* ------------------------------------------------------------ detection */

static int cfail(sg_cctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cfail(sg_cctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errcap, fmt, ap);
    va_end(ap);
    return -1;
}

static sg_node *node_new(sg_cctx *c, uint8_t op, uint32_t n)
{
    sg_node *x = sp_arena_zalloc(&c->rs->ar, sizeof *x);
    if (x && n) x->kid = sp_arena_zalloc(&c->rs->ar, n * sizeof *x->kid);
    if (!x || (n && !x->kid)) { cfail(c, "out of memory"); return NULL; }
    x->op = op;
    x->n = n;
    return x;
}

static sg_node *item_node(sg_cctx *c, const char *key, size_t kl, const ynode *val)
{
    sg_item *it = sg_compile_item(c, key, kl, val);
    if (!it) return NULL;
    sg_node *x = node_new(c, N_ITEM, 0);
    if (x) x->item = it;
    return x;
}

static sg_node *compile_map(sg_cctx *c, const ynode *m, const char *sel)
{
    if (m->n == 0) { cfail(c, "search identifier '%s' is an empty map", sel); return NULL; }
    sg_node *x = m->n == 1 ? NULL : node_new(c, N_AND, m->n);
    if (m->n > 1 && !x) return NULL;
    for (uint32_t i = 0; i < m->n; i++) {
        const ynode *k = m->kid[2 * i];
        if (k->kind != YN_SCALAR) { cfail(c, "search identifier '%s': a key is not a string", sel); return NULL; }
        char pre[600];
        size_t pl = strlen(c->err);
        (void)pl;
        sg_node *it = item_node(c, k->s, k->len, m->kid[2 * i + 1]);
        if (!it) {
            snprintf(pre, sizeof pre, "%s", c->err);
            cfail(c, "search identifier '%s': %s", sel, pre);
            return NULL;
        }
        if (m->n == 1) return it;
        x->kid[i] = it;
    }
    return x;
}

static sg_node *compile_selection(sg_cctx *c, const ynode *v, const char *sel)
{
    if (!v || sy_is_null(v)) { cfail(c, "search identifier '%s' is empty", sel); return NULL; }
    if (v->kind == YN_MAP) return compile_map(c, v, sel);
    if (v->kind == YN_SCALAR) return item_node(c, "", 0, v);
    /* sequence */
    if (v->n == 0) { cfail(c, "search identifier '%s' is an empty list", sel); return NULL; }
    int all_scalar = 1;
    for (uint32_t i = 0; i < v->n; i++) if (v->kid[i]->kind != YN_SCALAR) all_scalar = 0;
    if (all_scalar) {
        sg_node *x = item_node(c, "", 0, v);
        if (!x) {
            char pre[600];
            snprintf(pre, sizeof pre, "%s", c->err);
            cfail(c, "search identifier '%s': %s", sel, pre);
        }
        return x;
    }
    sg_node *x = node_new(c, N_OR, v->n);
    if (!x) return NULL;
    for (uint32_t i = 0; i < v->n; i++) {
        const ynode *e = v->kid[i];
        if (e->kind == YN_MAP) x->kid[i] = compile_map(c, e, sel);
        else if (e->kind == YN_SCALAR) x->kid[i] = item_node(c, "", 0, e);
        else { cfail(c, "search identifier '%s': nested list", sel); return NULL; }
        if (!x->kid[i]) return NULL;
    }
    return x;
}

/* Compile a detection-like map (rule `detection:` or filter `filter:`);
 * keys in `skip` (NULL-terminated) are not identifiers. */
static sg_node *compile_detection_ex(sg_cctx *c, const ynode *det, const char *const *skip)
{
    if (!det || det->kind != YN_MAP) { cfail(c, "detection is not a map"); return NULL; }
    const ynode *cond = sy_get(det, "condition");
    if (!cond || sy_is_null(cond)) { cfail(c, "detection has no condition"); return NULL; }
    sg_sel *sel = sp_arena_alloc(&c->rs->tmp, (det->n + 1) * sizeof *sel);
    if (!sel) { cfail(c, "out of memory"); return NULL; }
    uint32_t ns = 0;
    for (uint32_t i = 0; i < det->n; i++) {
        const ynode *k = det->kid[2 * i];
        if (k->kind != YN_SCALAR) { cfail(c, "detection: a search identifier is not a string"); return NULL; }
        int skipped = 0;
        for (const char *const *s = skip; *s; s++) if (!strcmp(k->s, *s)) skipped = 1;
        if (skipped) continue;
        sg_node *n = compile_selection(c, det->kid[2 * i + 1], k->s);
        if (!n) return NULL;
        sel[ns].name = k->s;
        sel[ns].node = n;
        ns++;
    }
    if (cond->kind == YN_SCALAR) {
        sg_node *r = sg_parse_condition(c, cond->s, cond->len, sel, ns);
        return r;
    }
    if (cond->kind != YN_SEQ || cond->n == 0) { cfail(c, "condition is neither a string nor a list of strings"); return NULL; }
    sg_node *x = node_new(c, N_OR, cond->n);
    if (!x) return NULL;
    for (uint32_t i = 0; i < cond->n; i++) {
        if (cond->kid[i]->kind != YN_SCALAR) { cfail(c, "condition list holds a non-string"); return NULL; }
        x->kid[i] = sg_parse_condition(c, cond->kid[i]->s, cond->kid[i]->len, sel, ns);
        if (!x->kid[i]) return NULL;
    }
    return cond->n == 1 ? x->kid[0] : x;
}

sg_node *sg_compile_detection(sg_cctx *c, const ynode *detection)
{
    static const char *const skip[] = {"condition", "timeframe", "fields", NULL};
    return compile_detection_ex(c, detection, skip);
}

/* ------------------------------------------------------------ metadata */

static const char *meta_str(sp_ruleset *rs, const ynode *doc, const char *key)
{
    const ynode *v = sy_get(doc, key);
    if (!v || v->kind != YN_SCALAR || sy_is_null(v)) return "";
    const char *s = sg_strdup(&rs->ar, v->s, v->len);
    return s ? s : "";
}

static const char *const *meta_list(sp_ruleset *rs, const ynode *doc, const char *key, size_t *n)
{
    static const char *const none[1] = {NULL};
    *n = 0;
    const ynode *v = sy_get(doc, key);
    if (!v || sy_is_null(v)) return none;
    uint32_t cnt = v->kind == YN_SEQ ? v->n : v->kind == YN_SCALAR ? 1 : 0;
    const char **o = sp_arena_alloc(&rs->ar, (cnt + 1) * sizeof *o);
    if (!o) return none;
    size_t k = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        const ynode *e = v->kind == YN_SEQ ? v->kid[i] : v;
        if (e->kind != YN_SCALAR) continue;
        const char *s = sg_strdup(&rs->ar, e->s, e->len);
        if (s) o[k++] = s;
    }
    o[k] = NULL;
    *n = k;
    return o;
}

static void fill_info(sp_ruleset *rs, const char *file, const ynode *doc, sp_rule_info *in)
{
    memset(in, 0, sizeof *in);
    in->file = file;
    in->id = meta_str(rs, doc, "id");
    in->name = meta_str(rs, doc, "name");
    in->title = meta_str(rs, doc, "title");
    in->description = meta_str(rs, doc, "description");
    in->level = meta_str(rs, doc, "level");
    in->status = meta_str(rs, doc, "status");
    in->author = meta_str(rs, doc, "author");
    in->date = meta_str(rs, doc, "date");
    in->modified = meta_str(rs, doc, "modified");
    const ynode *ls = sy_get(doc, "logsource");
    in->product = meta_str(rs, ls, "product");
    in->category = meta_str(rs, ls, "category");
    in->service = meta_str(rs, ls, "service");
    in->corr_type = "";
    in->tags = meta_list(rs, doc, "tags", &in->ntags);
    in->references = meta_list(rs, doc, "references", &in->nreferences);
    in->falsepositives = meta_list(rs, doc, "falsepositives", &in->nfalsepositives);
}

/* ------------------------------------------------------------ records */

static int add_reject(sp_ruleset *rs, const char *file, const ynode *doc, const char *reason)
{
    if (rs->nrej == rs->cap_rej) {
        uint32_t nc = rs->cap_rej ? rs->cap_rej * 2 : 64;
        sg_reject *nr = realloc(rs->rej, nc * sizeof *nr);
        if (!nr) return -1;
        rs->rej = nr;
        rs->cap_rej = nc;
    }
    sg_reject *r = &rs->rej[rs->nrej++];
    r->file = file;
    r->id = doc ? meta_str(rs, doc, "id") : "";
    r->title = doc ? meta_str(rs, doc, "title") : "";
    r->reason = sg_strdup(&rs->ar, reason, strlen(reason));
    if (!r->reason) r->reason = "out of memory";
    return 0;
}

static sg_rule *new_rule(sp_ruleset *rs)
{
    if (rs->nrules >= SP_SIGMA_MAX_RULES) return NULL;
    if (rs->nrules == rs->cap_rules) {
        uint32_t nc = rs->cap_rules ? rs->cap_rules * 2 : 256;
        sg_rule *nr = realloc(rs->rules, nc * sizeof *nr);
        if (!nr) return NULL;
        rs->rules = nr;
        rs->cap_rules = nc;
    }
    sg_rule *r = &rs->rules[rs->nrules];
    memset(r, 0, sizeof *r);
    return r;
}

static int parse_timespan(const ynode *v, int64_t *ms)
{
    if (!v || v->kind != YN_SCALAR || v->len < 2 || v->len > 13) return -1; /* 12 digits: no overflow */
    int64_t n = 0;
    size_t i = 0;
    for (; i < v->len - 1; i++) {
        if (v->s[i] < '0' || v->s[i] > '9') return -1;
        n = n * 10 + (v->s[i] - '0');
    }
    int64_t mul;
    switch (v->s[v->len - 1]) {
    case 's': mul = 1000; break;
    case 'm': mul = 60000; break;
    case 'h': mul = 3600000; break;
    case 'd': mul = 86400000; break;
    case 'w': mul = 7 * 86400000LL; break;
    case 'M': mul = 30 * 86400000LL; break;
    case 'y': mul = 365 * 86400000LL; break;
    default: return -1;
    }
    if (n <= 0 || n > INT64_MAX / mul) return -1;
    *ms = n * mul;
    return 0;
}

static const char *const *str_list(sp_ruleset *rs, const ynode *v, uint32_t *n)
{
    *n = 0;
    if (!v || sy_is_null(v)) return NULL;
    uint32_t cnt = v->kind == YN_SEQ ? v->n : v->kind == YN_SCALAR ? 1 : 0;
    const char **o = sp_arena_zalloc(&rs->ar, (cnt + 1) * sizeof *o);
    if (!o) return NULL;
    for (uint32_t i = 0; i < cnt; i++) {
        const ynode *e = v->kind == YN_SEQ ? v->kid[i] : v;
        if (e->kind != YN_SCALAR) return NULL;
        o[i] = sg_strdup(&rs->ar, e->s, e->len);
        if (!o[i]) return NULL;
    }
    *n = cnt;
    return o;
}

static int compile_correlation(sp_ruleset *rs, sg_cctx *c, const ynode *doc, sg_rule *r)
{
    const ynode *co = sy_get(doc, "correlation");
    if (!co || co->kind != YN_MAP) return cfail(c, "correlation: not a map");
    sg_corr *k = sp_arena_zalloc(&rs->ar, sizeof *k);
    if (!k) return cfail(c, "out of memory");
    const ynode *t = sy_get(co, "type");
    static const char *const types[] = {"", "event_count", "value_count", "temporal", "temporal_ordered",
                                        "value_sum", "value_avg", "value_percentile"};
    if (!t || t->kind != YN_SCALAR) return cfail(c, "correlation: missing type");
    for (int i = 1; i < 8; i++) if (!strcmp(t->s, types[i])) { k->type = (uint8_t)i; r->info.corr_type = types[i]; }
    if (!k->type) return cfail(c, "correlation: unknown type '%.40s'", t->s);
    const ynode *rules = sy_get(co, "rules");
    k->refs = (const char **)str_list(rs, rules, &k->nrefs);
    if (!k->refs || !k->nrefs) return cfail(c, "correlation: 'rules' must name one or more rules");
    k->ref_rule = sp_arena_zalloc(&rs->ar, k->nrefs * sizeof *k->ref_rule);
    if (!k->ref_rule) return cfail(c, "out of memory");
    const ynode *gb = sy_get(co, "group-by");
    if (gb && !sy_is_null(gb)) {
        k->group = (const char **)str_list(rs, gb, &k->ngroup);
        if (!k->group) return cfail(c, "correlation: 'group-by' must be a list of field names");
        if (k->ngroup > 64) return cfail(c, "correlation: more than 64 group-by fields");
    }
    if (parse_timespan(sy_get(co, "timespan"), &k->timespan_ms))
        return cfail(c, "correlation: missing or invalid 'timespan' (number + s/m/h/d)");
    const ynode *ge = sy_get(co, "generate");
    if (!ge) ge = sy_get(doc, "generate");
    int gv = 0;
    if (ge && !sy_bool(ge, &gv)) return cfail(c, "correlation: 'generate' must be true or false");
    k->generate = (uint8_t)gv;
    const ynode *al = sy_get(co, "aliases");
    if (al && !sy_is_null(al)) {
        if (al->kind != YN_MAP) return cfail(c, "correlation: 'aliases' must be a map");
        k->nalias = al->n;
        k->alias = sp_arena_zalloc(&rs->ar, al->n * sizeof *k->alias);
        k->alias_field = sp_arena_zalloc(&rs->ar, al->n * sizeof *k->alias_field);
        if (!k->alias || !k->alias_field) return cfail(c, "out of memory");
        for (uint32_t i = 0; i < al->n; i++) {
            const ynode *an = al->kid[2 * i], *am = al->kid[2 * i + 1];
            if (an->kind != YN_SCALAR || am->kind != YN_MAP) return cfail(c, "correlation: alias entries map rule names to fields");
            k->alias[i] = sg_strdup(&rs->ar, an->s, an->len);
            k->alias_field[i] = sp_arena_zalloc(&rs->ar, k->nrefs * sizeof(char *));
            if (!k->alias[i] || !k->alias_field[i]) return cfail(c, "out of memory");
            for (uint32_t j = 0; j < am->n; j++) {
                const ynode *rn = am->kid[2 * j], *fv = am->kid[2 * j + 1];
                if (rn->kind != YN_SCALAR || fv->kind != YN_SCALAR) return cfail(c, "correlation: alias '%s' has a non-string entry", k->alias[i]);
                int found = 0;
                for (uint32_t q = 0; q < k->nrefs; q++)
                    if (!strcmp(k->refs[q], rn->s)) { k->alias_field[i][q] = sg_strdup(&rs->ar, fv->s, fv->len); found = 1; }
                if (!found) return cfail(c, "correlation: alias '%s' names rule '%.60s' that is not in 'rules'", k->alias[i], rn->s);
            }
        }
    }
    const ynode *cd = sy_get(co, "condition");
    int need_cond = k->type != CT_TEMPORAL && k->type != CT_TEMPORAL_ORDERED;
    if (cd && !sy_is_null(cd)) {
        if (cd->kind != YN_MAP) return cfail(c, "correlation: 'condition' must be a map (gt/gte/lt/lte/eq/neq, field)");
        for (uint32_t i = 0; i < cd->n; i++) {
            const ynode *kk = cd->kid[2 * i], *vv = cd->kid[2 * i + 1];
            if (kk->kind != YN_SCALAR || vv->kind != YN_SCALAR) return cfail(c, "correlation: bad condition entry");
            if (!strcmp(kk->s, "field")) { k->field = sg_strdup(&rs->ar, vv->s, vv->len); continue; }
            char *e;
            double d = strtod(vv->s, &e);
            if (*e || e == vv->s) return cfail(c, "correlation: condition '%s' needs a number", kk->s);
            if (!strcmp(kk->s, "gt")) { k->has_gt = 1; k->gt = d; }
            else if (!strcmp(kk->s, "gte")) { k->has_gte = 1; k->gte = d; }
            else if (!strcmp(kk->s, "lt")) { k->has_lt = 1; k->lt = d; }
            else if (!strcmp(kk->s, "lte")) { k->has_lte = 1; k->lte = d; }
            else if (!strcmp(kk->s, "eq")) { k->has_eq = 1; k->eq = d; }
            else if (!strcmp(kk->s, "neq")) { k->has_neq = 1; k->neq = d; }
            else return cfail(c, "correlation: unknown condition operator '%.20s'", kk->s);
            k->has_cond = 1;
        }
    }
    if (need_cond && !k->has_cond) return cfail(c, "correlation: %s needs a 'condition'", r->info.corr_type);
    if ((k->type == CT_VALUE_COUNT || k->type == CT_VALUE_SUM || k->type == CT_VALUE_AVG ||
         k->type == CT_VALUE_PERCENTILE) && !k->field)
        return cfail(c, "correlation: %s needs 'field' in its condition", r->info.corr_type);
    if ((k->type == CT_TEMPORAL || k->type == CT_TEMPORAL_ORDERED) && k->nrefs > 64)
        return cfail(c, "correlation: temporal correlation of more than 64 rules");
    r->corr = k;
    return 0;
}

static int compile_filter(sp_ruleset *rs, sg_cctx *c, const char *file, const ynode *doc)
{
    const ynode *f = sy_get(doc, "filter");
    if (!f || f->kind != YN_MAP) return cfail(c, "filter: not a map");
    if (rs->nfilters == rs->cap_filters) {
        uint32_t nc = rs->cap_filters ? rs->cap_filters * 2 : 16;
        sg_filter *nf = realloc(rs->filters, nc * sizeof *nf);
        if (!nf) return cfail(c, "out of memory");
        rs->filters = nf;
        rs->cap_filters = nc;
    }
    sg_filter *x = &rs->filters[rs->nfilters];
    memset(x, 0, sizeof *x);
    x->file = file;
    x->id = meta_str(rs, doc, "id");
    x->title = meta_str(rs, doc, "title");
    const ynode *ls = sy_get(doc, "logsource");
    if (!ls || ls->kind != YN_MAP) return cfail(c, "filter: missing logsource");
    x->product = meta_str(rs, ls, "product");
    x->category = meta_str(rs, ls, "category");
    x->service = meta_str(rs, ls, "service");
    const ynode *rules = sy_get(f, "rules");
    if (rules && rules->kind == YN_SCALAR && !strcmp(rules->s, "any")) x->rules_any = 1;
    else {
        x->rules = (const char **)str_list(rs, rules, &x->nrules);
        if (!x->rules || !x->nrules) return cfail(c, "filter: 'rules' must list rule ids or be 'any'");
    }
    static const char *const skip[] = {"condition", "rules", NULL};
    x->cond = compile_detection_ex(c, f, skip);
    if (!x->cond) {
        char pre[600];
        snprintf(pre, sizeof pre, "%s", c->err);
        return cfail(c, "filter: %s", pre);
    }
    rs->nfilters++;
    return 0;
}

static void compile_doc(sp_ruleset *rs, const char *file, const ynode *doc)
{
    char err[512];
    err[0] = 0;
    sg_cctx c = {rs, file, 0, err, sizeof err};
    if (!doc || sy_is_null(doc)) return;   /* empty document */
    if (doc->kind != YN_MAP) { add_reject(rs, file, NULL, "document is not a map"); return; }
    const ynode *act = sy_get(doc, "action");
    if (act && act->kind == YN_SCALAR) {
        snprintf(err, sizeof err, "Sigma 1 rule collection ('action: %.20s') is not supported", act->s);
        add_reject(rs, file, doc, err);
        return;
    }
    int is_corr = sy_get(doc, "correlation") != NULL;
    int is_filter = !is_corr && sy_get(doc, "filter") && !sy_get(doc, "detection");
    if (is_filter) {
        if (compile_filter(rs, &c, file, doc)) add_reject(rs, file, doc, err);
        return;
    }
    if (!is_corr && !sy_get(doc, "detection")) {
        add_reject(rs, file, doc, "no 'detection', 'correlation' or 'filter' section");
        return;
    }
    sg_rule *r = new_rule(rs);
    if (!r) { add_reject(rs, file, doc, "too many rules or out of memory"); return; }
    fill_info(rs, file, doc, &r->info);
    if (is_corr) {
        r->kind = RK_CORRELATION;
        r->info.kind = SP_RULE_CORRELATION;
        if (compile_correlation(rs, &c, doc, r)) { add_reject(rs, file, doc, err); return; }
        rs->ncorr++;
    } else {
        r->kind = RK_DETECTION;
        r->info.kind = SP_RULE_DETECTION;
        const ynode *ls = sy_get(doc, "logsource");
        if (ls && ls->kind != YN_MAP) { add_reject(rs, file, doc, "logsource is not a map"); return; }
        r->cond = sg_compile_detection(&c, sy_get(doc, "detection"));
        if (!r->cond) { add_reject(rs, file, doc, err); return; }
    }
    rs->nrules++;
}

/* Load YAML text; `file` must outlive the ruleset (arena copy made here). */
int sg_load_text(sp_ruleset *rs, const char *name, const char *text, size_t len)
{
    const char *file = sg_strdup(&rs->ar, name, strlen(name));
    if (!file) return -1;
    char msg[300];
    ydocs d;
    if (len > SP_SIGMA_MAX_FILE) {
        snprintf(msg, sizeof msg, "file larger than %u bytes", (unsigned)SP_SIGMA_MAX_FILE);
        return add_reject(rs, file, NULL, msg);
    }
    int rc = 0;
    if (sy_parse(&rs->tmp, text, len, &d, msg, sizeof msg)) rc = add_reject(rs, file, NULL, msg);
    else
        for (uint32_t i = 0; i < d.n; i++) compile_doc(rs, file, d.doc[i]);
    sp_arena_reset(&rs->tmp);
    return rc;
}

static int has_ext(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && !strcmp(n + l - 4, ".yml")) || (l > 5 && !strcmp(n + l - 5, ".yaml"));
}

static int load_file(sp_ruleset *rs, const char *path, sp_error *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    int rc = -1;
    if (!f) {
        if (err) { snprintf(err->file, sizeof err->file, "%s", path); err->sys_errno = errno; snprintf(err->msg, sizeof err->msg, "cannot open: %s", strerror(errno)); }
        return -1;
    }
    /* sized by the file (a rule is a few KB); one that grows meanwhile is
     * still read up to the limit */
    struct stat st;
    size_t cap = fstat(fileno(f), &st) == 0 && st.st_size >= 0 && (uint64_t)st.st_size < SP_SIGMA_MAX_FILE
                     ? (size_t)st.st_size + 1 : SP_SIGMA_MAX_FILE + 1;
    buf = malloc(cap);
    if (!buf) goto out;
    size_t n = fread(buf, 1, cap, f);
    if (n == cap && cap < SP_SIGMA_MAX_FILE + 1) {
        char *nb = realloc(buf, SP_SIGMA_MAX_FILE + 1);
        if (!nb) goto out;
        buf = nb;
        n += fread(buf + n, 1, SP_SIGMA_MAX_FILE + 1 - n, f);
    }
    if (ferror(f)) {
        if (err) { snprintf(err->file, sizeof err->file, "%s", path); err->sys_errno = errno; snprintf(err->msg, sizeof err->msg, "read error"); }
        goto out;
    }
    rc = sg_load_text(rs, path, buf, n);
out:
    free(buf);
    fclose(f);
    return rc;
}

static void dir_error(sp_error *err, const char *path)
{
    if (!err) return;
    snprintf(err->file, sizeof err->file, "%s", path);
    err->sys_errno = errno;
    snprintf(err->msg, sizeof err->msg, "%s%s", errno == ENOMEM ? "" : "cannot open folder: ", strerror(errno));
}

/* A folder's rule files, recursively, in name order.  Folders are known by
 * their directory entry's type, files are looked up relative to their
 * folder, and only rule files are stat'ed (in cache mode, for their size
 * and mtime): with the cache, walking SigmaHQ's 550 folders is most of a
 * run's setup. */
static int load_dir(sp_ruleset *rs, const char *path, int depth, int note, sp_error *err)
{
    if (depth > SP_SIGMA_MAX_DIR_DEPTH) return 0;
    char **names;
    unsigned char *types;
    size_t n;
    /* one open: listed with getdents64 from the same descriptor the files
     * are stat'ed against */
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) { dir_error(err, path); return -1; }
    if (sp_dir_list_fd(dfd, path, 1, &names, &types, &n)) { dir_error(err, path); close(dfd); return -1; }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (types[i] == SP_DT_DIR) { rc = load_dir(rs, names[i], depth + 1, note, err); continue; }
        if (types[i] == SP_DT_REG && !has_ext(names[i])) continue;
        if (types[i] == SP_DT_REG && !note) { rc = load_file(rs, names[i], err); continue; }
        struct stat cs;
        const char *base = strrchr(names[i], '/');
        base = base ? base + 1 : names[i];
        if (fstatat(dfd, base, &cs, 0) != 0) continue;
        if (S_ISDIR(cs.st_mode)) rc = load_dir(rs, names[i], depth + 1, note, err);
        else if (S_ISREG(cs.st_mode) && has_ext(names[i]))
            rc = note ? sg_cache_note_file(rs, names[i], &cs) : load_file(rs, names[i], err);
    }
    close(dfd);
    sp_dir_list_free(names, n);
    free(types);
    if (rc && err && !err->msg[0]) snprintf(err->msg, sizeof err->msg, "out of memory");
    return rc;
}

int sg_load_path(sp_ruleset *rs, const char *path, int depth, sp_error *err)
{
    struct stat st;
    if (stat(path, &st)) {
        if (err) { snprintf(err->file, sizeof err->file, "%s", path); err->sys_errno = errno; snprintf(err->msg, sizeof err->msg, "%s", strerror(errno)); }
        return -1;
    }
    int note = rs->cache_dir && !rs->no_cache;   /* cache mode: files are loaded at compile */
    if (!S_ISDIR(st.st_mode)) return note ? sg_cache_note_file(rs, path, &st) : load_file(rs, path, err);
    return load_dir(rs, path, depth, note, err);
}

int sg_load_noted(sp_ruleset *rs, sp_error *err)
{
    for (uint32_t i = 0; i < rs->ncfiles; i++)
        if (load_file(rs, rs->cfiles[i].path, err)) return -1;
    return 0;
}
