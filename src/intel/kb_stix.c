/*
 * kb_stix.c — MITRE ATT&CK as a STIX bundle (2.0 as in mitre/cti, 2.1 as in
 * mitre-attack/attack-stix-data), parsed with jansson.
 *
 * Kept: attack-pattern, x-mitre-tactic, intrusion-set, malware, tool and
 * campaign objects that carry an ATT&CK ID (external_references entry with
 * source_name "mitre-attack"); relationships uses / attributed-to /
 * subtechnique-of / revoked-by between them that are neither revoked nor
 * deprecated, each with the reports it cites (source_name + url; the
 * "mitre-attack" entries are ATT&CK's own pages and are not reports).
 * Objects of other types (mitigations, detections, data sources, ...) and
 * relationships touching them are skipped.  An object whose ATT&CK ID was
 * already seen (the same object twice) is skipped; its STIX id still maps
 * to the first, so relationships resolve.
 *
 * Version: the x-mitre-collection object's x_mitre_version (2.1 bundles);
 * otherwise, when loaded from a file, a SNAPSHOT file beside it naming
 * "ATT&CK vN.N" (the shared data set's convention); else "unknown".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "intel/kb.h"

typedef struct sid { const char *stix; sp_kb_kind kind; uint32_t idx; } sid;

/* STIX id -> object: a sorted array, binary-searched */
static int sid_cmp(const void *a, const void *b) { return strcmp(((const sid *)a)->stix, ((const sid *)b)->stix); }

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int truthy(const json_t *o, const char *key) { return json_is_true(json_object_get(o, key)); }

static const char *attack_id(const json_t *o)
{
    const json_t *refs = json_object_get(o, "external_references");
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r) {
        const char *sn = str(r, "source_name"), *id = str(r, "external_id");
        if (sn && id && *id && !strcmp(sn, "mitre-attack")) return id;
    }
    return NULL;
}

static int kind_of(const char *type, sp_kb_kind *k, int *tool)
{
    *tool = 0;
    if (!strcmp(type, "intrusion-set")) *k = SP_KB_GROUP;
    else if (!strcmp(type, "malware")) *k = SP_KB_SOFTWARE;
    else if (!strcmp(type, "tool")) { *k = SP_KB_SOFTWARE; *tool = 1; }
    else if (!strcmp(type, "attack-pattern")) *k = SP_KB_TECHNIQUE;
    else if (!strcmp(type, "x-mitre-tactic")) *k = SP_KB_TACTIC;
    else if (!strcmp(type, "campaign")) *k = SP_KB_CAMPAIGN;
    else return 0;
    return 1;
}

/* collect string array items, bounded, skipping non-strings */
static size_t strings(const json_t *arr, const char **out, size_t max)
{
    size_t n = 0, i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        if (n == max) break;
        if (json_is_string(v) && json_string_length(v) <= SP_KB_MAX_STR) out[n++] = json_string_value(v);
    }
    return n;
}

static int add_object(sp_kb *kb, const json_t *o, sp_kb_kind k, int tool, const char *aid)
{
    const char *name = str(o, "name");
    if (!name || strlen(name) > SP_KB_MAX_STR || strlen(aid) > SP_KB_MAX_STR) name = "";
    const char *al[SP_KB_MAX_ALIASES];
    size_t nal = 0;
    if (k == SP_KB_GROUP || k == SP_KB_CAMPAIGN) nal = strings(json_object_get(o, "aliases"), al, SP_KB_MAX_ALIASES);
    else if (k == SP_KB_SOFTWARE) nal = strings(json_object_get(o, "x_mitre_aliases"), al, SP_KB_MAX_ALIASES);
    uint32_t i = kb_add_obj(kb, k, aid, name, al, nal, truthy(o, "revoked"), truthy(o, "x_mitre_deprecated"));
    if (i == KB_NONE) return -1;
    sp_kb_object *ob = &kb->k[k].v[i];
    if (k == SP_KB_SOFTWARE) ob->is_tool = tool;
    else if (k == SP_KB_TACTIC) {
        const char *sn = str(o, "x_mitre_shortname");
        if (sn && strlen(sn) <= SP_KB_MAX_STR && !(ob->shortname = kb_strdup(kb, sn, strlen(sn)))) return -1;
    } else if (k == SP_KB_CAMPAIGN) {
        const char *f = str(o, "first_seen"), *l = str(o, "last_seen");
        if (f && strlen(f) < 64 && !(ob->first_seen = kb_strdup(kb, f, strlen(f)))) return -1;
        if (l && strlen(l) < 64 && !(ob->last_seen = kb_strdup(kb, l, strlen(l)))) return -1;
    } else if (k == SP_KB_TECHNIQUE) {
        ob->subtechnique = truthy(o, "x_mitre_is_subtechnique") || strchr(aid, '.') != NULL;
        /* tactics: kill_chain_phases of the mitre-attack kill chain, as "a,b" */
        char buf[1024];
        size_t n = 0, j;
        const json_t *p;
        json_array_foreach(json_object_get(o, "kill_chain_phases"), j, p) {
            const char *kc = str(p, "kill_chain_name"), *ph = str(p, "phase_name");
            if (!kc || !ph || strcmp(kc, "mitre-attack") || strchr(ph, ',')) continue;
            size_t l = strlen(ph);
            if (n + l + 2 > sizeof buf) break;
            if (n) buf[n++] = ',';
            memcpy(buf + n, ph, l);
            n += l;
        }
        if (kb_set_tactics(kb, i, buf, n)) return -1;
    }
    return 0;
}

static const sid *sid_find(const sid *v, size_t n, const char *stix)
{
    if (!stix) return NULL;
    sid key = {stix, SP_KB_GROUP, 0};
    return bsearch(&key, v, n, sizeof *v, sid_cmp);
}

static void version_from_snapshot(sp_kb *kb, const char *path)
{
    if (!path) return;
    const char *slash = strrchr(path, '/');
    char snap[4096];
    int dl = slash ? (int)(slash - path) : 0;
    snprintf(snap, sizeof snap, "%.*s%sSNAPSHOT", dl, path, slash ? "/" : "");
    FILE *f = fopen(snap, "r");
    if (!f) return;
    char line[512];
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = 0;
    const char *v = strstr(line, "ATT&CK v");
    if (!v) return;
    v += 8;
    size_t l = strspn(v, "0123456789.");
    if (l && l < 32) kb->st.attack_version = kb_strdup(kb, v, l);
    if (!kb->st.attack_version) kb->st.attack_version = "unknown";
}

int kb_load_stix(sp_kb *kb, const char *text, size_t len, const char *name, const char *path, sp_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    sid *ids = NULL;
    uint32_t *reps = NULL;
    int rc = -1;
    if (!root) { kb_err(err, name, (uint64_t)je.position, "JSON: %s (line %d)", je.text, je.line); return -1; }
    const json_t *objs = json_object_get(root, "objects");
    const char *btype = str(root, "type");
    if (!btype || strcmp(btype, "bundle") || !json_is_array(objs)) { kb_err(err, name, UINT64_MAX, "not a STIX bundle (no \"type\": \"bundle\" with \"objects\")"); goto out; }
    size_t nobj = json_array_size(objs);
    ids = malloc((nobj + 1) * sizeof *ids);
    reps = malloc((SP_KB_MAX_REL_REPORTS + 1) * sizeof *reps);
    if (!ids || !reps) { kb_err(err, name, UINT64_MAX, "out of memory"); goto out; }
    const char *spec = str(root, "spec_version");
    const char *version = NULL, *notice = NULL;
    size_t nids = 0, i;
    const json_t *o;
    /* pass 1: objects */
    json_array_foreach(objs, i, o) {
        const char *t = str(o, "type"), *stix = str(o, "id");
        if (!t || !stix) continue;
        if (!spec && str(o, "spec_version")) spec = str(o, "spec_version");
        if (!strcmp(t, "x-mitre-collection") && !version) version = str(o, "x_mitre_version");
        if (!strcmp(t, "marking-definition") && !notice) notice = str(json_object_get(o, "definition"), "statement");
        sp_kb_kind k;
        int tool;
        const char *aid = attack_id(o);
        if (!kind_of(t, &k, &tool) || !aid) continue;
        uint32_t prev = kb_find(kb, k, aid, strlen(aid));
        if (prev != KB_NONE && !strcmp(kb->k[k].v[prev].id, aid)) {   /* seen: map the STIX id only */
            ids[nids++] = (sid){stix, k, prev};
            continue;
        }
        if (add_object(kb, o, k, tool, aid)) { kb_err(err, name, UINT64_MAX, "out of memory or a limit reached (object %.100s)", aid); goto out; }
        ids[nids++] = (sid){stix, k, (uint32_t)(kb->k[k].n - 1)};
    }
    qsort(ids, nids, sizeof *ids, sid_cmp);
    /* pass 2: relationships */
    json_array_foreach(objs, i, o) {
        const char *t = str(o, "type");
        if (!t || strcmp(t, "relationship") || truthy(o, "revoked") || truthy(o, "x_mitre_deprecated")) continue;
        const char *rt = str(o, "relationship_type");
        int type = !rt ? -1 : !strcmp(rt, "uses") ? KB_R_USES : !strcmp(rt, "attributed-to") ? KB_R_ATTRIBUTED_TO
                 : !strcmp(rt, "subtechnique-of") ? KB_R_SUBTECHNIQUE_OF : !strcmp(rt, "revoked-by") ? KB_R_REVOKED_BY : -1;
        if (type < 0) continue;
        const sid *s = sid_find(ids, nids, str(o, "source_ref")), *d = sid_find(ids, nids, str(o, "target_ref"));
        if (!s || !d) continue;
        sp_kb_kind sk = s->kind, tk = d->kind;
        int ok = kb_rel_ok(type, sk, tk);
        if (!ok) continue;
        size_t nr = 0, j;
        const json_t *r;
        json_array_foreach(json_object_get(o, "external_references"), j, r) {
            const char *sn = str(r, "source_name"), *url = str(r, "url");
            if (sn && !strcmp(sn, "mitre-attack")) continue;
            if (!sn) sn = "";
            if (!url) url = "";
            if ((!*sn && !*url) || strlen(sn) > SP_KB_MAX_STR || strlen(url) > SP_KB_MAX_STR || nr == SP_KB_MAX_REL_REPORTS) continue;
            uint32_t key = kb_add_report(kb, sn, strlen(sn), url, strlen(url), 0);
            if (key == KB_NONE) { kb_err(err, name, UINT64_MAX, "out of memory or too many reports"); goto out; }
            int dup = 0;
            for (size_t q = 0; q < nr && !dup; q++) dup = reps[q] == key;
            if (!dup) reps[nr++] = key;
        }
        if (kb_add_rel(kb, type, sk, s->idx, tk, d->idx, reps, nr, 0)) { kb_err(err, name, UINT64_MAX, "out of memory or too many relationships"); goto out; }
        kb_count_rel(kb, type, sk, tk);
    }
    kb->st.attack_format = spec && !strcmp(spec, "2.0") ? "stix-2.0" : "stix-2.1";
    kb->st.attack_version = version ? kb_strdup(kb, version, strnlen(version, 64)) : NULL;
    if (!kb->st.attack_version) {
        kb->st.attack_version = "unknown";
        version_from_snapshot(kb, path);
    }
    kb->st.notice = notice ? kb_strdup(kb, notice, strnlen(notice, SP_KB_MAX_STR)) : NULL;
    if (!kb->st.notice) kb->st.notice = "";
    rc = 0;
out:
    free(ids);
    free(reps);
    json_decref(root);
    return rc;
}
