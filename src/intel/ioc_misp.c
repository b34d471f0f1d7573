/*
 * ioc_misp.c — MISP events: {"Event":{...}}, lists of them, REST search
 * results {"response":[{"Event":...}]}, and feed manifests.
 *
 * Attributes (event-level and inside Objects) become indicators by type:
 * ip-src/ip-dst (and |port), domain, hostname (exact), domain|ip, url, md5,
 * sha1, sha256, imphash, filename (and filename|<hash>), regkey (and
 * |value), mutex, named pipe.  Other types are skipped with the reason.
 * Links come from galaxies and galaxy tags naming actors, intrusion sets,
 * malware, tools and campaigns (misp-galaxy:threat-actor="Lazarus Group",
 * misp-galaxy:mitre-intrusion-set="Lazarus Group - G0032", ...); other tags
 * become labels.  Confidence comes from misp:confidence-level or
 * estimative-language:confidence-in-analytic-judgment tags when present.
 * to_ids is kept; with opts.ids_only attributes without it are ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "intel/ioc_int.h"
#include "sigma/sigma_event.h"

typedef struct linkset {
    sp_ioc_link l[SP_INTEL_MAX_LINKS];
    size_t n;
    const char *lab[SP_INTEL_MAX_LABELS];
    size_t nlab;
    int confidence;
} linkset;

static const char *jstr(const json_t *o, const char *k, size_t *n)
{
    const json_t *v = json_object_get(o, k);
    if (json_is_string(v)) {
        if (n) *n = json_string_length(v);
        return json_string_value(v);
    }
    if (n) *n = 0;
    return NULL;
}

static int jtrue(const json_t *v)
{
    if (json_is_true(v)) return 1;
    if (json_is_integer(v)) return json_integer_value(v) != 0;
    if (json_is_string(v)) return !strcmp(json_string_value(v), "1") || !strcasecmp(json_string_value(v), "true");
    return 0;
}

/* galaxy type -> link kind (NULL: not a link) */
static const char *galaxy_kind(const char *g, size_t n)
{
    static const struct { const char *g, *k; } map[] = {
        {"threat-actor", "threat-actor"}, {"mitre-intrusion-set", "intrusion-set"},
        {"mitre-enterprise-attack-intrusion-set", "intrusion-set"}, {"intrusion-set", "intrusion-set"},
        {"mitre-malware", "malware"}, {"mitre-enterprise-attack-malware", "malware"}, {"malpedia", "malware"},
        {"rat", "malware"}, {"ransomware", "malware"}, {"backdoor", "malware"}, {"stealer", "malware"},
        {"banker", "malware"}, {"botnet", "malware"}, {"exploit-kit", "malware"},
        {"mitre-tool", "tool"}, {"mitre-enterprise-attack-tool", "tool"}, {"tool", "tool"},
        {"mitre-campaign", "campaign"}, {"campaign", "campaign"},
        {"mitre-attack-pattern", "attack-pattern"}, {"mitre-enterprise-attack-attack-pattern", "attack-pattern"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strlen(map[i].g) == n && !strncmp(map[i].g, g, n)) return map[i].k;
    return NULL;
}

static int add_link(sp_intel *in, linkset *ls, const char *kind, const char *val, size_t vn, const char *ref)
{
    char name[256], id[32];
    ioc_split_attack_id(val, vn, name, sizeof name, id, sizeof id);
    if (!name[0] && !id[0]) return 0;
    for (size_t i = 0; i < ls->n; i++)
        if (!strcmp(ls->l[i].kind, kind) && !strcasecmp(ls->l[i].name, name)) {
            if (!ls->l[i].attack_id[0] && id[0]) ls->l[i].attack_id = ioc_strdup(in, id, strlen(id));
            return 0;
        }
    if (ls->n >= SP_INTEL_MAX_LINKS) return 0;
    sp_ioc_link *l = &ls->l[ls->n];
    l->kind = kind;
    l->name = ioc_strdup(in, name, strlen(name));
    l->attack_id = ioc_strdup(in, id, strlen(id));
    l->ref = ioc_strdup(in, ref, strlen(ref));
    if (!l->name || !l->attack_id || !l->ref) return -1;
    ls->n++;
    return 0;
}

static int add_label(sp_intel *in, linkset *ls, const char *s, size_t n)
{
    for (size_t i = 0; i < ls->nlab; i++)
        if (strlen(ls->lab[i]) == n && !memcmp(ls->lab[i], s, n)) return 0;
    if (ls->nlab >= SP_INTEL_MAX_LABELS || !n) return 0;
    if (!(ls->lab[ls->nlab] = ioc_strdup(in, s, n))) return -1;
    ls->nlab++;
    return 0;
}

static int conf_tag(const char *t)
{
    static const struct { const char *t; int c; } map[] = {
        {"misp:confidence-level=\"completely-confident\"", 100}, {"misp:confidence-level=\"usually-confident\"", 75},
        {"misp:confidence-level=\"fairly-confident\"", 50}, {"misp:confidence-level=\"rarely-confident\"", 25},
        {"misp:confidence-level=\"unconfident\"", 0}, {"misp:confidence-level=\"confidence-cannot-be-evaluated\"", -1},
        {"estimative-language:confidence-in-analytic-judgment=\"high\"", 85},
        {"estimative-language:confidence-in-analytic-judgment=\"moderate\"", 55},
        {"estimative-language:confidence-in-analytic-judgment=\"low\"", 25},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i].t, t)) return map[i].c;
    return -2;
}

/* one tag name: a galaxy tag gives a link, the others labels */
static int tag(sp_intel *in, linkset *ls, const char *t, size_t n)
{
    if (n > 12 && !strncmp(t, "misp-galaxy:", 12)) {
        const char *eq = memchr(t, '=', n);
        if (eq) {
            const char *kind = galaxy_kind(t + 12, (size_t)(eq - t - 12));
            const char *v = eq + 1;
            size_t vn = n - (size_t)(v - t);
            if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
                v++;
                vn -= 2;
            }
            if (kind) return add_link(in, ls, kind, v, vn, t);
        }
    }
    int c = conf_tag(t);
    if (c >= -1) ls->confidence = c;
    return add_label(in, ls, t, n);
}

static int tags_of(sp_intel *in, linkset *ls, const json_t *o)
{
    const json_t *tags = json_object_get(o, "Tag");
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t) {
        size_t n;
        const char *s = jstr(t, "name", &n);
        if (s && tag(in, ls, s, n)) return -1;
    }
    const json_t *gals = json_object_get(o, "Galaxy");
    const json_t *g;
    json_array_foreach(gals, i, g) {
        size_t tn;
        const char *gt = jstr(g, "type", &tn);
        const char *kind = gt ? galaxy_kind(gt, tn) : NULL;
        const json_t *cl = json_object_get(g, "GalaxyCluster");
        size_t j;
        const json_t *c;
        json_array_foreach(cl, j, c) {
            size_t vn;
            const char *v = jstr(c, "value", &vn);
            const char *tagname = jstr(c, "tag_name", NULL);
            if (!v) continue;
            if (kind) {
                if (add_link(in, ls, kind, v, vn, tagname ? tagname : "")) return -1;
                /* meta.external_id ["G0032"] when the value has none */
                const json_t *ext = json_object_get(json_object_get(c, "meta"), "external_id");
                const json_t *e0 = json_array_get(ext, 0);
                if (json_is_string(e0) && ls->n && !ls->l[ls->n - 1].attack_id[0]) {
                    const char *e = json_string_value(e0);
                    char nm[8], id[32];
                    ioc_split_attack_id(e, strlen(e), nm, sizeof nm, id, sizeof id);
                    if (id[0]) ls->l[ls->n - 1].attack_id = ioc_strdup(in, id, strlen(id));
                }
            } else if (tagname && add_label(in, ls, tagname, strlen(tagname)))
                return -1;
        }
    }
    return 0;
}

typedef struct amap { const char *misp; sp_ioc_type t0, t1; const char *skip; } amap;

static const amap attr_types[] = {
    {"ip-src", SP_IOC_IPV4, 0, NULL}, {"ip-dst", SP_IOC_IPV4, 0, NULL},
    {"ip-src|port", SP_IOC_IPV4, SP_IOC_NONE, NULL}, {"ip-dst|port", SP_IOC_IPV4, SP_IOC_NONE, NULL},
    {"domain", SP_IOC_DOMAIN, 0, NULL}, {"hostname", SP_IOC_HOSTNAME, 0, NULL},
    {"domain|ip", SP_IOC_DOMAIN, SP_IOC_IPV4, NULL}, {"hostname|port", SP_IOC_HOSTNAME, SP_IOC_NONE, NULL},
    {"url", SP_IOC_URL, 0, NULL}, {"uri", SP_IOC_URL, 0, NULL},
    {"md5", SP_IOC_MD5, 0, NULL}, {"sha1", SP_IOC_SHA1, 0, NULL}, {"sha256", SP_IOC_SHA256, 0, NULL},
    {"imphash", SP_IOC_IMPHASH, 0, NULL},
    {"filename", SP_IOC_FILENAME, 0, NULL}, {"filename-pattern", SP_IOC_FILENAME, 0, NULL},
    {"filename|md5", SP_IOC_FILENAME, SP_IOC_MD5, NULL}, {"filename|sha1", SP_IOC_FILENAME, SP_IOC_SHA1, NULL},
    {"filename|sha256", SP_IOC_FILENAME, SP_IOC_SHA256, NULL},
    {"filename|imphash", SP_IOC_FILENAME, SP_IOC_IMPHASH, NULL},
    {"regkey", SP_IOC_REGKEY, 0, NULL}, {"regkey|value", SP_IOC_REGKEY, SP_IOC_NONE, NULL},
    {"mutex", SP_IOC_MUTEX, 0, NULL}, {"named pipe", SP_IOC_PIPE, 0, NULL},
    {"link", 0, 0, "a link is a reference, not an indicator"},
    {"comment", 0, 0, "a comment is not an indicator"}, {"text", 0, 0, "text is not an indicator"},
    {"other", 0, 0, "type 'other' is not an indicator"},
};

typedef struct ev_ctx {
    sp_intel *in;
    uint32_t src;
    const char *info;
    const linkset *evls;
} ev_ctx;

static void skip(ev_ctx *c, const char *where, size_t wn, const char *why)
{
    ioc_issue_add(c->in, c->src, where, wn, why, 0);
    c->in->srcs[c->src].pub.skipped++;
}

static int64_t seen_ms(const json_t *a, const char *k)
{
    size_t n;
    const char *s = jstr(a, k, &n);
    int64_t ms;
    if (s && n && !sp_parse_iso_ms(s, n, &ms)) return ms;
    return 0;
}

static sp_status attribute(ev_ctx *c, const json_t *a, const char *objname)
{
    sp_intel *in = c->in;
    sp_intel_source *ps = &in->srcs[c->src].pub;
    ps->records++;
    size_t tn, vn, un;
    const char *type = jstr(a, "type", &tn), *val = jstr(a, "value", &vn), *uuid = jstr(a, "uuid", &un);
    char wbuf[64];
    if (!uuid) {
        snprintf(wbuf, sizeof wbuf, "attribute %zu", ps->records);
        uuid = wbuf;
        un = strlen(wbuf);
    }
    if (jtrue(json_object_get(a, "deleted"))) {
        ps->ignored++;
        return SP_OK;
    }
    if (!type || !val) {
        skip(c, uuid, un, "attribute without type or value");
        return SP_OK;
    }
    int to_ids = jtrue(json_object_get(a, "to_ids"));
    if (in->opts.ids_only && !to_ids) {
        ps->ignored++;
        return SP_OK;
    }
    const amap *m = NULL;
    for (size_t i = 0; i < sizeof attr_types / sizeof *attr_types; i++)
        if (strlen(attr_types[i].misp) == tn && !strcmp(attr_types[i].misp, type)) m = &attr_types[i];
    if (!m || m->skip) {
        char r[200];
        snprintf(r, sizeof r, "%s%s%s", m ? m->skip : "attribute type '", m ? "" : type, m ? "" : "' is not an indicator spoor matches");
        skip(c, uuid, un, r);
        return SP_OK;
    }
    linkset *ls = malloc(sizeof *ls);
    if (!ls) return SP_ERR_NOMEM;
    *ls = *c->evls;
    if (tags_of(in, ls, a)) {
        free(ls);
        return SP_ERR_NOMEM;
    }
    size_t cn = 0;
    const char *cat = jstr(a, "category", &cn);
    if (cat && add_label(in, ls, cat, cn)) goto nomem;
    if (objname && add_label(in, ls, objname, strlen(objname))) goto nomem;
    sp_ioc_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.id = ioc_strdup(in, uuid, un);
    meta.source = ps->path;
    meta.name = c->info;
    size_t cmn;
    const char *cm = jstr(a, "comment", &cmn);
    meta.comment = ioc_strdup(in, cm, cm ? cmn : 0);
    meta.confidence = ls->confidence >= -1 ? ls->confidence : in->opts.default_confidence;
    meta.to_ids = to_ids;
    meta.valid_from_ms = seen_ms(a, "first_seen");
    meta.valid_until_ms = seen_ms(a, "last_seen");
    if (ls->n) {
        sp_ioc_link *l = sp_arena_alloc(&in->arena, ls->n * sizeof *l);
        if (!l) goto nomem;
        memcpy(l, ls->l, ls->n * sizeof *l);
        meta.links = l;
        meta.nlinks = ls->n;
    }
    if (ls->nlab) {
        const char **l = sp_arena_alloc(&in->arena, ls->nlab * sizeof *l);
        if (!l) goto nomem;
        memcpy(l, ls->lab, ls->nlab * sizeof *l);
        meta.labels = l;
        meta.nlabels = ls->nlab;
    }
    if (!meta.id || !meta.comment) goto nomem;
    /* composite values split on '|' */
    const char *parts[2] = {val, NULL};
    size_t plen[2] = {vn, 0};
    sp_ioc_type types[2] = {m->t0, m->t1};
    int composite = strchr(m->misp, '|') != NULL;
    if (composite) {
        const char *bar = memchr(val, '|', vn);
        if (!bar) {
            skip(c, uuid, un, "composite attribute without '|' in its value");
            free(ls);
            return SP_OK;
        }
        plen[0] = (size_t)(bar - val);
        parts[1] = bar + 1;
        plen[1] = vn - plen[0] - 1;
    }
    int added = 0;
    const char *why = NULL;
    char *vbuf = malloc(SP_INTEL_MAX_VALUE + 64);
    if (!vbuf) goto nomem;
    for (int k = 0; k < (composite ? 2 : 1); k++) {
        if (types[k] == SP_IOC_NONE) continue;   /* port, registry value data */
        sp_ioc_type t = types[k];
        if (t == SP_IOC_IPV4 && memchr(parts[k], ':', plen[k])) t = SP_IOC_IPV6;
        size_t l = plen[k] <= SP_INTEL_MAX_VALUE ? ioc_refang(parts[k], plen[k], vbuf, SP_INTEL_MAX_VALUE + 64) : plen[k];
        const char *w;
        sp_status r = ioc_add_value(in, t, plen[k] <= SP_INTEL_MAX_VALUE ? vbuf : parts[k], l, &meta, &w);
        if (r == SP_OK) {
            added++;
            ps->values++;
        } else if (r == SP_ERR_FORMAT)
            why = w;
        else {
            free(vbuf);
            free(ls);
            return r;
        }
    }
    free(vbuf);
    free(ls);
    if (added) ps->loaded++;
    else {
        char r[300];
        snprintf(r, sizeof r, "%s: %s '%.*s'", why ? why : "nothing to load", type, (int)(vn > 120 ? 120 : vn), val);
        skip(c, uuid, un, r);
    }
    return SP_OK;
nomem:
    free(ls);
    return SP_ERR_NOMEM;
}

static sp_status event(sp_intel *in, uint32_t src, const json_t *ev)
{
    if (json_object_get(ev, "Event")) ev = json_object_get(ev, "Event");
    if (!json_is_object(ev)) {
        ioc_issue_add(in, src, "event", 5, "not a MISP event object", 0);
        in->srcs[src].pub.skipped++;
        return SP_OK;
    }
    linkset *ls = calloc(1, sizeof *ls);
    if (!ls) return SP_ERR_NOMEM;
    ls->confidence = -2;
    size_t infn;
    const char *info = jstr(ev, "info", &infn);
    ev_ctx c = {in, src, ioc_strdup(in, info, info ? infn : 0), ls};
    if (!c.info || tags_of(in, ls, ev)) {
        free(ls);
        return SP_ERR_NOMEM;
    }
    sp_status st = SP_OK;
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(ev, "Attribute"), i, a) {
        if ((st = attribute(&c, a, NULL)) != SP_OK) break;
    }
    const json_t *o;
    json_array_foreach(json_object_get(ev, "Object"), i, o) {
        if (st != SP_OK) break;
        const char *on = jstr(o, "name", NULL);
        if (jtrue(json_object_get(o, "deleted"))) continue;
        size_t j;
        json_array_foreach(json_object_get(o, "Attribute"), j, a) {
            if ((st = attribute(&c, a, on)) != SP_OK) break;
        }
    }
    free(ls);
    return st;
}

sp_status ioc_load_misp(sp_intel *in, uint32_t src, const void *rootp)
{
    const json_t *root = rootp;
    const json_t *list = json_is_array(root) ? root : json_object_get(root, "response");
    if (json_is_array(list)) {
        size_t i;
        const json_t *e;
        json_array_foreach(list, i, e) {
            sp_status st = event(in, src, e);
            if (st != SP_OK) return st;
        }
        return SP_OK;
    }
    return event(in, src, root);
}

sp_status ioc_load_misp_manifest(sp_intel *in, uint32_t src, const void *rootp, const char *dir)
{
    const json_t *root = rootp;
    sp_intel_source *ps = &in->srcs[src].pub;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)root, k, v) {
        ps->records++;
        if (!dir) {
            ps->ignored++;
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.json", dir, k);
        struct stat sb;
        if (stat(path, &sb)) {
            ioc_issue_add(in, src, k, strlen(k), "event listed in the manifest but its <uuid>.json file is missing", 0);
            ps->skipped++;
        } else
            ps->loaded++;   /* the event file is loaded as its own source */
    }
    return SP_OK;
}
