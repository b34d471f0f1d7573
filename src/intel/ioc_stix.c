/*
 * ioc_stix.c — STIX 2.1 (and 2.0) bundles.
 *
 *  - indicator: pattern_type "stix" (absent in 2.0) is compiled.  A pattern
 *    that is an OR of equalities / IN sets / ISSUBSET CIDRs on indexable
 *    paths, without qualifiers, goes into the fast store value by value;
 *    any other pattern is kept compiled and evaluated against events (one
 *    observation) and observation sets.  Unsupported: other pattern types,
 *    patterns that do not parse, object paths spoor never observes — each is
 *    reported by indicator id with the reason.  Multi-observation patterns
 *    (AND / FOLLOWEDBY across observations, REPEATS) load, with a note that
 *    events are matched one at a time.
 *  - relationship "indicates" (indicator -> intrusion-set / threat-actor /
 *    malware / tool / campaign / attack-pattern) gives the links, with the
 *    target's name and ATT&CK id (external_references, source "mitre-attack");
 *    one step further, the intrusion sets that "use" that malware/tool and
 *    the ones a campaign is "attributed-to" are linked too.
 *  - observed-data: kept as observations (object_refs to SCOs in the bundle,
 *    or the 2.0 "objects" map), flattened to (object path, value) pairs.
 *  - everything else (SDOs, SCOs, markings) is counted as ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "intel/ioc_int.h"
#include "sigma/sigma_event.h"

typedef struct stix_ctx {
    sp_intel *in;
    uint32_t src;
    json_t *byid;      /* id -> object */
    json_t *targets;   /* indicator id -> [target ids] */
    json_t *users;     /* malware/tool/campaign id -> [intrusion-set ids] */
} stix_ctx;

static const char *js(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void push(json_t *map, const char *k, const char *v)
{
    json_t *a = json_object_get(map, k);
    if (!a) {
        a = json_array();
        if (!a || json_object_set_new(map, k, a)) return;
    }
    json_array_append_new(a, json_string(v));
}

static const char *attack_id(const json_t *o)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(o, "external_references"), i, r) {
        const char *sn = js(r, "source_name");
        if (sn && (!strcmp(sn, "mitre-attack") || !strcmp(sn, "mitre-mobile-attack") || !strcmp(sn, "mitre-ics-attack")))
            return js(r, "external_id");
    }
    return NULL;
}

static int link_of(stix_ctx *c, sp_ioc_link *l, const char *ref)
{
    sp_intel *in = c->in;
    const json_t *t = json_object_get(c->byid, ref);
    const char *type = t ? js(t, "type") : NULL;
    char kind[64];
    if (!type) {   /* not in the bundle: the type is the id's prefix */
        const char *dd = strstr(ref, "--");
        size_t kl = dd ? (size_t)(dd - ref) : 0;
        if (kl >= sizeof kind) kl = sizeof kind - 1;
        memcpy(kind, ref, kl);
        kind[kl] = 0;
    } else
        snprintf(kind, sizeof kind, "%s", type);
    const char *name = t ? js(t, "name") : NULL;
    const char *aid = t ? attack_id(t) : NULL;
    l->kind = ioc_strdup(in, kind, strlen(kind));
    l->name = ioc_strdup(in, name, name ? strlen(name) : 0);
    l->attack_id = ioc_strdup(in, aid, aid ? strlen(aid) : 0);
    l->ref = ioc_strdup(in, ref, strlen(ref));
    return l->kind && l->name && l->attack_id && l->ref ? 0 : -1;
}

static int links(stix_ctx *c, const char *ind, sp_ioc_link **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const json_t *ts = json_object_get(c->targets, ind);
    if (!ts) return 0;
    sp_ioc_link tmp[SP_INTEL_MAX_LINKS];
    const char *refs[SP_INTEL_MAX_LINKS];
    size_t k = 0, i;
    const json_t *t;
    json_array_foreach(ts, i, t) {
        const char *ref = json_string_value(t);
        int dup = 0;
        for (size_t j = 0; j < k; j++) dup |= !strcmp(refs[j], ref);
        if (dup || k >= SP_INTEL_MAX_LINKS) continue;
        if (link_of(c, &tmp[k], ref)) return -1;
        refs[k++] = ref;
    }
    /* one step further: intrusion sets using the malware / behind the campaign */
    size_t direct = k;
    for (size_t d = 0; d < direct; d++) {
        const json_t *us = json_object_get(c->users, refs[d]);
        const json_t *u;
        json_array_foreach(us, i, u) {
            const char *ref = json_string_value(u);
            int dup = 0;
            for (size_t j = 0; j < k; j++) dup |= !strcmp(refs[j], ref);
            if (dup || k >= SP_INTEL_MAX_LINKS) continue;
            if (link_of(c, &tmp[k], ref)) return -1;
            refs[k++] = ref;
        }
    }
    if (!k) return 0;
    sp_ioc_link *l = sp_arena_alloc(&c->in->arena, k * sizeof *l);
    if (!l) return -1;
    memcpy(l, tmp, k * sizeof *l);
    *out = l;
    *n = k;
    return 0;
}

static int64_t ts_ms(const json_t *o, const char *k)
{
    const char *s = js(o, k);
    int64_t ms;
    if (s && !sp_parse_iso_ms(s, strlen(s), &ms)) return ms;
    return 0;
}

typedef struct simple_ctx {
    sp_intel *in;
    const sp_ioc_meta *meta;
    size_t added;
    const char *why;
    sp_status st;
    sp_intel_source *ps;
} simple_ctx;

static int simple_add(void *user, sp_ioc_type t, const char *v, size_t n)
{
    simple_ctx *s = user;
    const char *w;
    sp_status r = ioc_add_value(s->in, t, v, n, s->meta, &w);
    if (r == SP_OK) {
        s->added++;
        s->ps->values++;
    } else if (r == SP_ERR_FORMAT)
        s->why = w;
    else {
        s->st = r;
        return 1;
    }
    return 0;
}

static void issue(stix_ctx *c, const char *id, const char *why, int kind)
{
    ioc_issue_add(c->in, c->src, id, strlen(id), why, kind);
    sp_intel_source *ps = &c->in->srcs[c->src].pub;
    if (kind == 1) ps->unsupported++;
    else if (kind == 0) ps->skipped++;
}

static sp_status indicator(stix_ctx *c, const json_t *o)
{
    sp_intel *in = c->in;
    sp_intel_source *ps = &in->srcs[c->src].pub;
    ps->records++;
    const char *id = js(o, "id");
    if (!id) id = "(indicator without id)";
    if (json_is_true(json_object_get(o, "revoked"))) {
        issue(c, id, "revoked indicator", 0);
        return SP_OK;
    }
    const char *ptype = js(o, "pattern_type");
    const char *pat = js(o, "pattern");
    char why[400];
    if (ptype && strcmp(ptype, "stix")) {
        snprintf(why, sizeof why, "pattern_type '%.100s' is not evaluated (only 'stix')", ptype);
        issue(c, id, why, 1);
        return SP_OK;
    }
    if (!pat) {
        issue(c, id, "indicator without a pattern", 1);
        return SP_OK;
    }
    sp_stix_pattern *p;
    sp_error e;
    if (sp_stix_pattern_compile(pat, strlen(pat), &p, &e) != SP_OK) {
        snprintf(why, sizeof why, "pattern does not parse: %.300s", e.msg);
        issue(c, id, why, 1);
        return SP_OK;
    }
    const char *uo = stix_pattern_unobservable(p);
    if (uo) {
        snprintf(why, sizeof why, "object path '%.200s' is not observed by spoor (see docs/intel.md)", uo);
        issue(c, id, why, 1);
        sp_stix_pattern_free(p);
        return SP_OK;
    }
    sp_ioc_meta m;
    memset(&m, 0, sizeof m);
    m.id = ioc_strdup(in, id, strlen(id));
    m.source = ps->path;
    const char *nm = js(o, "name"), *ds = js(o, "description");
    m.name = ioc_strdup(in, nm, nm ? strlen(nm) : 0);
    m.comment = ioc_strdup(in, ds, ds ? strlen(ds) : 0);
    const json_t *cf = json_object_get(o, "confidence");
    m.confidence = json_is_integer(cf) && json_integer_value(cf) >= 0 && json_integer_value(cf) <= 100
                       ? (int)json_integer_value(cf) : -1;
    m.to_ids = 1;
    m.valid_from_ms = ts_ms(o, "valid_from");
    m.valid_until_ms = ts_ms(o, "valid_until");
    const char *lab[SP_INTEL_MAX_LABELS];
    size_t nl = 0, i;
    const json_t *l;
    json_array_foreach(json_object_get(o, "indicator_types"), i, l) {
        if (json_is_string(l) && nl < SP_INTEL_MAX_LABELS) lab[nl++] = ioc_strdup(in, json_string_value(l), json_string_length(l));
    }
    json_array_foreach(json_object_get(o, "labels"), i, l) {
        if (json_is_string(l) && nl < SP_INTEL_MAX_LABELS) lab[nl++] = ioc_strdup(in, json_string_value(l), json_string_length(l));
    }
    for (size_t k = 0; k < nl; k++)
        if (!lab[k]) goto nomem;
    if (nl) {
        const char **la = sp_arena_alloc(&in->arena, nl * sizeof *la);
        if (!la) goto nomem;
        memcpy(la, lab, nl * sizeof *la);
        m.labels = la;
        m.nlabels = nl;
    }
    sp_ioc_link *lk;
    if (!m.id || !m.name || !m.comment || links(c, id, &lk, &m.nlinks)) goto nomem;
    m.links = lk;
    simple_ctx sc = {in, &m, 0, NULL, SP_OK, ps};
    if (stix_pattern_simple(p, simple_add, &sc)) {
        sp_stix_pattern_free(p);
        if (sc.st != SP_OK) return sc.st;
        if (sc.added) ps->loaded++;
        else {
            snprintf(why, sizeof why, "no valid value: %s", sc.why ? sc.why : "?");
            issue(c, id, why, 0);
        }
        return SP_OK;
    }
    int single = sp_stix_pattern_single(p);
    sp_status st = ioc_add_pattern(in, p, pat, strlen(pat), &m);
    if (st != SP_OK) return st;
    ps->loaded++;
    ps->values++;
    if (!single)
        issue(c, id, "multi-observation pattern (AND/FOLLOWEDBY across observations or REPEATS): evaluated against "
                     "observation sets, not against single events", 2);
    return SP_OK;
nomem:
    sp_stix_pattern_free(p);
    return SP_ERR_NOMEM;
}

/* ------------------------------------------------------------ observed-data */

typedef struct flat {
    sp_intel *in;
    sp_obs_value v[SP_INTEL_MAX_OBS_VALUES];
    size_t n;
    int fail;
} flat;

static void fl_add(flat *f, const char *path, const json_t *val)
{
    char num[64];
    const char *s = NULL;
    size_t n = 0;
    if (json_is_string(val)) {
        s = json_string_value(val);
        n = json_string_length(val);
    } else if (json_is_integer(val)) {
        n = (size_t)snprintf(num, sizeof num, "%lld", (long long)json_integer_value(val));
        s = num;
    } else if (json_is_real(val)) {
        n = (size_t)snprintf(num, sizeof num, "%.17g", json_real_value(val));
        s = num;
    } else if (json_is_boolean(val)) {
        s = json_is_true(val) ? "true" : "false";
        n = strlen(s);
    } else
        return;
    if (f->n >= SP_INTEL_MAX_OBS_VALUES) return;
    const char *ps = ioc_strdup(f->in, path, strlen(path));
    const char *vs = ioc_strdup(f->in, s, n);
    if (!ps || !vs) {
        f->fail = 1;
        return;
    }
    f->v[f->n++] = (sp_obs_value){ps, vs, n};
}

static const json_t *resolve(stix_ctx *c, const json_t *objs20, const char *ref)
{
    if (objs20) return json_object_get(objs20, ref);
    return json_object_get(c->byid, ref);
}

/* flatten the properties of obj under prefix ("file:" or "network-traffic:dst_ref.") */
static void flatten(stix_ctx *c, flat *f, const json_t *objs20, const json_t *obj, const char *prefix, int depth)
{
    const char *k;
    json_t *v;
    if (depth > 4) return;
    json_object_foreach((json_t *)obj, k, v) {
        if (depth == 0 && (!strcmp(k, "type") || !strcmp(k, "id") || !strcmp(k, "spec_version"))) continue;
        char path[512];
        snprintf(path, sizeof path, "%s%s", prefix, k);
        size_t kl = strlen(k);
        int is_ref = kl > 4 && !strcmp(k + kl - 4, "_ref");
        int is_refs = kl > 5 && !strcmp(k + kl - 5, "_refs");
        if (is_ref && json_is_string(v) && depth < 2) {
            const json_t *t = resolve(c, objs20, json_string_value(v));
            if (t && json_is_object(t)) {
                char p2[520];
                snprintf(p2, sizeof p2, "%s.", path);
                flatten(c, f, objs20, t, p2, depth + 2);
            }
        } else if (is_refs && json_is_array(v) && depth < 2) {
            size_t i;
            const json_t *r;
            json_array_foreach(v, i, r) {
                const json_t *t = json_is_string(r) ? resolve(c, objs20, json_string_value(r)) : NULL;
                if (t && json_is_object(t)) {
                    char p2[520];
                    snprintf(p2, sizeof p2, "%s.", path);
                    flatten(c, f, objs20, t, p2, depth + 2);
                }
            }
        } else if (json_is_object(v)) {
            char p2[520];
            snprintf(p2, sizeof p2, "%s.", path);
            flatten(c, f, objs20, v, p2, depth + 1);
        } else if (json_is_array(v)) {
            size_t i;
            const json_t *e;
            json_array_foreach(v, i, e) {
                if (json_is_object(e)) {
                    char p2[520];
                    snprintf(p2, sizeof p2, "%s.", path);
                    flatten(c, f, objs20, e, p2, depth + 1);
                } else
                    fl_add(f, path, e);
            }
        } else
            fl_add(f, path, v);
    }
}

static void flatten_sco(stix_ctx *c, flat *f, const json_t *objs20, const json_t *sco)
{
    const char *t = js(sco, "type");
    if (!t) return;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%.100s:", t);
    flatten(c, f, objs20, sco, prefix, 0);
}

static sp_status observed(stix_ctx *c, const json_t *o)
{
    sp_intel *in = c->in;
    sp_intel_source *ps = &in->srcs[c->src].pub;
    ps->records++;
    const char *id = js(o, "id");
    if (!id) id = "(observed-data without id)";
    flat *f = calloc(1, sizeof *f);
    if (!f) return SP_ERR_NOMEM;
    f->in = in;
    const json_t *objs20 = json_object_get(o, "objects");
    if (json_is_object(objs20)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)objs20, k, v) {
            (void)k;
            if (json_is_object(v)) flatten_sco(c, f, objs20, v);
        }
    } else {
        size_t i;
        const json_t *r;
        json_array_foreach(json_object_get(o, "object_refs"), i, r) {
            const json_t *t = json_is_string(r) ? json_object_get(c->byid, json_string_value(r)) : NULL;
            if (t && json_is_object(t)) flatten_sco(c, f, NULL, t);
        }
    }
    if (f->fail) {
        free(f);
        return SP_ERR_NOMEM;
    }
    if (!f->n) {
        free(f);
        issue(c, id, "observed-data without resolvable objects", 0);
        return SP_OK;
    }
    sp_obs_value *vals = sp_arena_alloc(&in->arena, f->n * sizeof *vals);
    const char *oid = ioc_strdup(in, id, strlen(id));
    if (!vals || !oid) {
        free(f);
        return SP_ERR_NOMEM;
    }
    memcpy(vals, f->v, f->n * sizeof *vals);
    sp_observation ob = {oid, ts_ms(o, "first_observed"), ts_ms(o, "last_observed"), 1, vals, f->n};
    if (!ob.time_ms) ob.time_ms = INT64_MIN;
    if (!ob.last_ms) ob.last_ms = ob.time_ms;
    const json_t *no = json_object_get(o, "number_observed");
    if (json_is_integer(no) && json_integer_value(no) > 0 && json_integer_value(no) < 1000000000)
        ob.count = (uint32_t)json_integer_value(no);
    free(f);
    sp_status st = ioc_add_observation(in, &ob);
    if (st == SP_ERR_LIMIT) {
        issue(c, id, "too many observed-data objects (SP_STIX_MAX_OBSERVED)", 0);
        return SP_OK;
    }
    if (st != SP_OK) return st;
    ps->loaded++;
    ps->observations++;
    return SP_OK;
}

sp_status ioc_load_stix(sp_intel *in, uint32_t src, const void *rootp)
{
    const json_t *root = rootp;
    const json_t *objs = json_is_array(root) ? root : json_object_get(root, "objects");
    json_t *single = NULL;
    if (!json_is_array(objs)) {        /* a lone object */
        single = json_array();
        if (!single) return SP_ERR_NOMEM;
        json_array_append((json_t *)single, (json_t *)root);
        objs = single;
    }
    stix_ctx c = {in, src, json_object(), json_object(), json_object()};
    sp_status st = SP_OK;
    if (!c.byid || !c.targets || !c.users) {
        st = SP_ERR_NOMEM;
        goto out;
    }
    size_t i;
    const json_t *o;
    json_array_foreach(objs, i, o) {
        const char *id = js(o, "id");
        if (id) json_object_set(c.byid, id, (json_t *)o);
    }
    json_array_foreach(objs, i, o) {
        const char *t = js(o, "type");
        if (!t || strcmp(t, "relationship")) continue;
        const char *rt = js(o, "relationship_type"), *s = js(o, "source_ref"), *d = js(o, "target_ref");
        if (!rt || !s || !d) continue;
        if (!strcmp(rt, "indicates") && !strncmp(s, "indicator--", 11)) push(c.targets, s, d);
        else if (!strcmp(rt, "uses") && (!strncmp(s, "intrusion-set--", 15) || !strncmp(s, "threat-actor--", 14)) &&
                 (!strncmp(d, "malware--", 9) || !strncmp(d, "tool--", 6)))
            push(c.users, d, s);
        else if (!strcmp(rt, "attributed-to") && !strncmp(s, "campaign--", 10) &&
                 (!strncmp(d, "intrusion-set--", 15) || !strncmp(d, "threat-actor--", 14)))
            push(c.users, s, d);
    }
    json_array_foreach(objs, i, o) {
        const char *t = js(o, "type");
        if (t && !strcmp(t, "indicator")) st = indicator(&c, o);
        else if (t && !strcmp(t, "observed-data")) st = observed(&c, o);
        else {
            in->srcs[src].pub.records++;
            in->srcs[src].pub.ignored++;
        }
        if (st != SP_OK) break;
    }
out:
    json_decref(c.byid);
    json_decref(c.targets);
    json_decref(c.users);
    json_decref(single);
    return st;
}
