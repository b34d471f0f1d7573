/*
 * sigma_util.h — helpers for the Sigma unit tests: compile inline YAML and
 * match events built from key/value lists through the sp_event interface.
 *
 * Rules written with `logsource: {product: test}` are matched through the
 * event's logsource hint (product "test"), independent of logsources.yml.
 */
#ifndef SP_SIGMA_TEST_UTIL_H
#define SP_SIGMA_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>
#include "spoor.h"
#include "sigma/sigma_event.h"

typedef struct hits {
    int n;
    char ids[32][64];
    int64_t first[32], last[32];
    uint64_t count[32];
    double value[32];
    char group[32][128];
} hits;

static inline int hit_cb(void *user, const sp_detection *d)
{
    hits *h = user;
    if (h->n < 32) {
        snprintf(h->ids[h->n], sizeof h->ids[0], "%s", d->rule->id);
        h->first[h->n] = d->first_ms;
        h->last[h->n] = d->time_ms;
        h->count[h->n] = d->count;
        h->value[h->n] = d->value;
        h->group[h->n][0] = 0;
        for (size_t i = 0; i < d->ngroup; i++) {
            size_t l = strlen(h->group[h->n]);
            snprintf(h->group[h->n] + l, sizeof h->group[0] - l, "%s%s=%s", i ? "," : "", d->group_fields[i],
                     d->group_values[i]);
        }
    }
    h->n++;
    return 0;
}

/* compile YAML text; returns NULL (and prints the reason) if anything was rejected */
static inline sp_ruleset *rs_from(const char *yaml, const char *placeholders)
{
    sp_ruleset *rs = NULL;
    sp_error err;
    memset(&err, 0, sizeof err);
    sp_sigma_opts o = {NULL, placeholders, NULL};
    if (sp_ruleset_new(&o, &rs, &err) != SP_OK) { printf("  ruleset_new: %s\n", err.msg); return NULL; }
    if (sp_ruleset_add_yaml(rs, "inline.yml", yaml, strlen(yaml), &err) != SP_OK ||
        sp_ruleset_compile(rs, &err) != SP_OK) { sp_ruleset_free(rs); return NULL; }
    if (sp_ruleset_rejection_count(rs)) {
        sp_rule_rejection r;
        sp_ruleset_rejection(rs, 0, &r);
        printf("  rejected: %s\n", r.reason);
        sp_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

/* the first rejection reason of YAML text ("" if it compiled) */
static inline const char *reject_reason(const char *yaml)
{
    static char buf[512];
    sp_ruleset *rs = NULL;
    sp_error err;
    buf[0] = 0;
    if (sp_ruleset_new(NULL, &rs, &err) != SP_OK) return "ruleset_new failed";
    sp_ruleset_add_yaml(rs, "inline.yml", yaml, strlen(yaml), &err);
    sp_ruleset_compile(rs, &err);
    if (sp_ruleset_rejection_count(rs)) {
        sp_rule_rejection r;
        sp_ruleset_rejection(rs, 0, &r);
        snprintf(buf, sizeof buf, "%s", r.reason);
    }
    sp_ruleset_free(rs);
    return buf;
}

static const char *g_category;   /* logsource category hint of test events (NULL: none) */

/* match one event (kv: NULL-terminated name, value pairs; value NULL = null) */
static inline int match_kv_t(sp_scanner *sc, const char *const *kv, int64_t t, const char *product, hits *h)
{
    size_t n = 0;
    while (kv[2 * n]) n++;
    sp_kv_event k = {kv, n, 1, t};
    sp_event ev;
    sp_event_from_kv(&ev, &k);
    ev.product = product;
    ev.category = g_category;
    return sp_scanner_match_event(sc, &ev, hit_cb, h) == SP_OK ? 0 : -1;
}

/* detections of `rule_yaml` (logsource product test) on one event; -1 if rejected */
static inline int hits_of(const char *rule_yaml, const char *const *kv)
{
    sp_ruleset *rs = rs_from(rule_yaml, NULL);
    if (!rs) return -1;
    sp_scanner *sc = NULL;
    hits h;
    memset(&h, 0, sizeof h);
    if (sp_scanner_new(rs, &sc) == SP_OK) match_kv_t(sc, kv, 0, "test", &h);
    sp_scanner_free(sc);
    sp_ruleset_free(rs);
    return h.n;
}

#define RULE(det) "title: t\nid: r1\nlogsource: {product: test}\ndetection:\n" det
#define KV(...) ((const char *const[]){__VA_ARGS__, NULL, NULL})

#endif
