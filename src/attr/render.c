/*
 * render.c — an assessment as a report for a terminal and as JSON.
 *
 * ICD 203 asks that a confidence level and a likelihood not share a
 * sentence: the text report states them in separate sentences / columns.
 * Both renderings show the first `top` hypotheses and always "an actor not
 * in the knowledge base", plus the likelihood left to the rest, so that what
 * is shown adds up to 1.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "attr/attr_int.h"
#include "base/buf.h"

/* (sp_buf_puts takes a literal: its length is sizeof) */
static void sp_buf_str(sp_buf *b, const char *s) { sp_buf_put(b, s, strlen(s)); }

static void jstr(sp_buf *b, const char *s)
{
    sp_buf_putc(b, '"');
    sp_json_escape(b, s ? s : "", s ? strlen(s) : 0);
    sp_buf_putc(b, '"');
}

static size_t shown(const sp_assessment *as, unsigned top, int *unknown_extra, double *rest)
{
    size_t n = sp_assessment_count(as), k = top ? top : 10;
    if (k > n) k = n;
    *unknown_extra = 1;
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        const sp_hypothesis *h = sp_assessment_at(as, i);
        if (h->is_unknown) *unknown_extra = 0;
        sum += h->likelihood;
    }
    if (*unknown_extra) {
        const sp_hypothesis *u = sp_assessment_find(as, "unknown");
        if (u) sum += u->likelihood;
        else *unknown_extra = 0;
    }
    *rest = 1.0 - sum;
    if (*rest < 0) *rest = 0;
    return k;
}

static void j_items(sp_buf *b, const sp_attr_item *it, size_t n)
{
    sp_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        sp_buf_str(b, i ? ", {\"kind\": " : "{\"kind\": ");
        jstr(b, it[i].kind);
        sp_buf_puts(b, ", \"id\": ");
        jstr(b, it[i].id);
        if (it[i].name && *it[i].name && strcmp(it[i].name, it[i].id)) {
            sp_buf_puts(b, ", \"name\": ");
            jstr(b, it[i].name);
        }
        sp_buf_printf(b, ", \"weight\": %.3f, \"why\": ", it[i].weight);
        jstr(b, it[i].why);
        sp_buf_putc(b, '}');
    }
    sp_buf_putc(b, ']');
}

static void j_hyp(sp_buf *b, const sp_hypothesis *h)
{
    sp_buf_puts(b, "{\"id\": ");
    jstr(b, h->id);
    sp_buf_puts(b, ", \"name\": ");
    jstr(b, h->name);
    sp_buf_printf(b, ", \"likelihood\": %.4f, \"confidence\": ", h->likelihood);
    jstr(b, h->confidence_word);
    sp_buf_puts(b, ", \"likelihood_term\": ");
    jstr(b, h->likelihood_term);
    sp_buf_puts(b, ", \"cluster\": ");
    if (h->cluster && *h->cluster) jstr(b, h->cluster);
    else sp_buf_puts(b, "null");
    sp_buf_printf(b, ", \"log_odds\": %.3f, \"in_attack\": %s, \"has_profile\": %s,\n   \"for\": ", h->log_odds,
                  h->in_attack ? "true" : "false", h->has_profile ? "true" : "false");
    j_items(b, h->for_items, h->nfor);
    sp_buf_puts(b, ",\n   \"against\": ");
    j_items(b, h->against, h->nagainst);
    sp_buf_putc(b, '}');
}

sp_status sp_assessment_json(const sp_assessment *as, unsigned top, sp_buf *out)
{
    if (!as || !out) return SP_ERR_ARG;
    int ux;
    double rest;
    size_t k = shown(as, top, &ux, &rest);
    sp_assessment_info in;
    sp_assessment_get_info(as, &in);
    sp_buf_puts(out, "{\"hypotheses\": [\n  ");
    for (size_t i = 0; i < k; i++) {
        if (i) sp_buf_puts(out, ",\n  ");
        j_hyp(out, sp_assessment_at(as, i));
    }
    if (ux) {
        sp_buf_puts(out, ",\n  ");
        j_hyp(out, sp_assessment_find(as, "unknown"));
    }
    sp_buf_printf(out, "],\n \"other_likelihood\": %.4f, \"hypotheses_total\": %zu,\n \"clusters\": [", rest,
                  sp_assessment_count(as));
    for (size_t i = 0; i < sp_assessment_cluster_count(as); i++) {
        const sp_attr_cluster *c = sp_assessment_cluster_at(as, i);
        sp_buf_str(out, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        jstr(out, c->name);
        sp_buf_printf(out, ", \"likelihood\": %.4f, \"likelihood_term\": ", c->likelihood);
        jstr(out, c->likelihood_term);
        sp_buf_puts(out, ", \"confidence\": ");
        jstr(out, c->confidence_word);
        sp_buf_puts(out, ", \"members\": [");
        for (size_t j = 0; j < c->nmembers; j++) {
            if (j) sp_buf_puts(out, ", ");
            jstr(out, c->members[j]);
        }
        sp_buf_puts(out, "]}");
    }
    sp_buf_puts(out, "],\n \"hunt_next\": [");
    for (size_t i = 0; i < sp_assessment_next_count(as); i++) {
        const sp_hunt_next *x = sp_assessment_next_at(as, i);
        sp_buf_str(out, i ? ",\n  {\"kind\": " : "\n  {\"kind\": ");
        jstr(out, x->kind);
        sp_buf_puts(out, ", \"id\": ");
        jstr(out, x->id);
        sp_buf_puts(out, ", \"name\": ");
        jstr(out, x->name);
        sp_buf_printf(out, ", \"gain_bits\": %.4f, \"why\": ", x->gain);
        jstr(out, x->why);
        sp_buf_puts(out, ", \"rules\": [");
        for (size_t j = 0; j < x->nrules; j++) {
            sp_buf_str(out, j ? ", {\"id\": " : "{\"id\": ");
            jstr(out, x->rules[j]);
            sp_buf_puts(out, ", \"title\": ");
            jstr(out, x->rule_titles[j]);
            sp_buf_putc(out, '}');
        }
        sp_buf_puts(out, "]}");
    }
    sp_buf_printf(out, "],\n \"evidence\": {\"techniques\": %zu, \"software\": %zu, \"malware\": %zu, \"ips\": %zu, "
                       "\"countries\": %zu, \"asns\": %zu, \"thin\": %s},\n \"confidence\": ",
                  in.techniques, in.software, in.malware, in.ips, in.countries, in.asns, in.thin ? "true" : "false");
    jstr(out, sp_confidence_word(in.confidence));
    sp_buf_printf(out, ", \"ms\": %.3f}\n", in.ms);
    return sp_buf_failed(out) ? SP_ERR_NOMEM : SP_OK;
}

static void t_items(sp_buf *b, const char *label, const sp_attr_item *it, size_t n, size_t max)
{
    for (size_t i = 0; i < n && i < max; i++) {
        sp_buf_printf(b, "      %-8s %+6.2f  %s %s", i ? "" : label, it[i].weight, it[i].kind, it[i].id);
        if (it[i].name && *it[i].name && strcmp(it[i].name, it[i].id)) sp_buf_printf(b, " %s", it[i].name);
        sp_buf_printf(b, ": %s\n", it[i].why);
    }
    if (n > max) sp_buf_printf(b, "      %-8s         ... %zu more\n", "", n - max);
}

static void t_hyp(sp_buf *b, size_t rank, const sp_hypothesis *h, int detail)
{
    char nm[200];
    if (h->is_unknown) snprintf(nm, sizeof nm, "%s", h->name);
    else snprintf(nm, sizeof nm, "%s (%s)", h->name, h->id);
    sp_buf_printf(b, "%3zu. %-44s %5.1f%%  %-19s  confidence %s%s%s%s\n", rank, nm, 100 * h->likelihood,
                  h->likelihood_term, h->confidence_word, h->cluster && *h->cluster ? "  [" : "",
                  h->cluster && *h->cluster ? h->cluster : "", h->cluster && *h->cluster ? "]" : "");
    if (!detail) return;
    t_items(b, "for", h->for_items, h->nfor, 6);
    t_items(b, "against", h->against, h->nagainst, 4);
}

sp_status sp_assessment_text(const sp_assessment *as, unsigned top, sp_buf *out)
{
    if (!as || !out) return SP_ERR_ARG;
    int ux;
    double rest;
    size_t k = shown(as, top, &ux, &rest);
    sp_assessment_info in;
    sp_assessment_get_info(as, &in);
    sp_buf_printf(out, "Attribution assessment: %zu hypotheses (every group in the knowledge base and an actor not in it)\n",
                  sp_assessment_count(as));
    sp_buf_printf(out, "Evidence used: %zu techniques, %zu software, %zu other malware, %zu addresses, %zu countries, %zu ASNs%s\n",
                  in.techniques, in.software, in.malware, in.ips, in.countries, in.asns,
                  in.thin ? " (thin: at most 3 techniques and nothing else)" : "");
    const sp_hypothesis *h0 = sp_assessment_at(as, 0);
    if (h0) {
        sp_buf_printf(out, "\nLeading hypothesis: %s%s%s%s. ", h0->name, h0->is_unknown ? "" : " (", h0->is_unknown ? "" : h0->id,
                      h0->is_unknown ? "" : ")");
        sp_buf_printf(out, "It is %s (%.0f%%) that it is behind this activity.\n", h0->likelihood_term, 100 * h0->likelihood);
        sp_buf_printf(out, "This assessment is made with %s confidence.\n", h0->confidence_word);
    }
    if (sp_assessment_cluster_count(as)) {
        sp_buf_puts(out, "\nClusters of related groups (profiles)\n");
        for (size_t i = 0; i < sp_assessment_cluster_count(as) && i < 5; i++) {
            const sp_attr_cluster *c = sp_assessment_cluster_at(as, i);
            sp_buf_printf(out, "  %-10s %5.1f%%  %-19s  confidence %-8s  ", c->name, 100 * c->likelihood, c->likelihood_term,
                          c->confidence_word);
            for (size_t j = 0; j < c->nmembers && j < 6; j++) sp_buf_printf(out, "%s%s", j ? ", " : "", c->members[j]);
            sp_buf_putc(out, '\n');
        }
    }
    sp_buf_puts(out, "\nHypotheses, most likely first (weights: log-likelihood ratios, + for, - against)\n");
    for (size_t i = 0; i < k; i++) t_hyp(out, i + 1, sp_assessment_at(as, i), i < 5);
    if (ux) {
        const sp_hypothesis *u = sp_assessment_find(as, "unknown");
        size_t r = 0;
        while (sp_assessment_at(as, r) != u) r++;
        t_hyp(out, r + 1, u, 0);
    }
    sp_buf_printf(out, "     (%zu other groups: %.1f%% together)\n", sp_assessment_count(as) - k - (size_t)ux, 100 * rest);
    if (sp_assessment_next_count(as)) {
        sp_buf_puts(out, "\nWhat to hunt next (expected information gain over the leading hypotheses)\n");
        for (size_t i = 0; i < sp_assessment_next_count(as); i++) {
            const sp_hunt_next *x = sp_assessment_next_at(as, i);
            sp_buf_printf(out, "  %5.3f bits  %s %s", x->gain, x->kind, x->id);
            if (x->name && strcmp(x->name, x->id)) sp_buf_printf(out, " %s", x->name);
            sp_buf_printf(out, "  (%s)\n", x->why);
            for (size_t j = 0; j < x->nrules && j < 3; j++)
                sp_buf_printf(out, "               rule %s  %s\n", x->rules[j], x->rule_titles[j]);
            if (x->nrules > 3) sp_buf_printf(out, "               ... %zu more rules\n", x->nrules - 3);
        }
    }
    sp_buf_printf(out, "\n(assessed in %.1f ms)\n", in.ms);
    return sp_buf_failed(out) ? SP_ERR_NOMEM : SP_OK;
}
