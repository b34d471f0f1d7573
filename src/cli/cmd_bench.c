/* cmd_bench.c — `spoor bench <what>`: measurements a bar can run.
 *
 *   attribution   leave-one-campaign-out and leave-one-report-out over
 *                 ATT&CK, against a TF-IDF cosine baseline on the same cases;
 *                 calibration of likelihoods and confidence; assessment time
 *                 (src/attr/bench.c, docs/attribution.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "attr/bench.h"
#include "base/buf.h"

static const char usage_bench[] =
    "usage: spoor bench <what> [options]\n"
    "\n"
    "  attribution   attribution accuracy on ATT&CK (leave-one-campaign-out,\n"
    "                leave-one-report-out) against TF-IDF cosine, calibration,\n"
    "                assessment time\n";

static const char usage_battr[] =
    "usage: spoor bench attribution [--attack FILE] [--min-items N] [--json]\n"
    "\n"
    "(a) Leave-one-campaign-out over the attributed ATT&CK campaigns (the campaign\n"
    "and its relationships held out; \"strict\": also every report it cites),\n"
    "(b) leave-one-report-out over reports cited for exactly one group (supporting\n"
    "at least N techniques and software, default 3; the report and every link\n"
    "citing only it held out), and (c) the open set: campaigns attributed to\n"
    "nobody, held out like the strict (a), where abstaining is right.  The\n"
    "model is rebuilt for each case.\n"
    "Prints top-1/3/5/10 and mean reciprocal rank for spoor's model and for a\n"
    "TF-IDF cosine baseline on the same cases, calibration tables, how often the\n"
    "open set is abstained on, and the time to assess a hunt's findings with the\n"
    "full knowledge base and profiles.\n"
    "\n"
    "options:\n"
    "  --attack FILE      ATT&CK bundle or KB file (default: the shipped KB, made\n"
    "                     from ../shared/datasets/attack/enterprise-attack.json)\n"
    "  --min-items N      leave-one-report-out eligibility (default 3)\n"
    "  --json             one JSON object\n"
    "  --param NAME=V     override a model parameter (experiments only): mu, jm,\n"
    "                     family, sw_expand, campaign, report_bonus, software_q,\n"
    "                     tool_q, sw_report, knn, swknn, prior_gamma,\n"
    "                     temperature, mode, k1, b\n";

static int set_param(attr_params *p, const char *kv)
{
    static const struct { const char *n; size_t off; } t[] = {
        {"mu", offsetof(attr_params, mu)}, {"jm", offsetof(attr_params, jm)}, {"mode", offsetof(attr_params, mode)}, {"k1", offsetof(attr_params, k1)}, {"b", offsetof(attr_params, b)}, {"knn", offsetof(attr_params, knn)}, {"swknn", offsetof(attr_params, swknn)}, {"tool_q", offsetof(attr_params, tool_q)}, {"sw_report", offsetof(attr_params, sw_report)}, {"family", offsetof(attr_params, family)},
        {"sw_expand", offsetof(attr_params, sw_expand)}, {"campaign", offsetof(attr_params, campaign)},
        {"report_bonus", offsetof(attr_params, report_bonus)}, {"software_q", offsetof(attr_params, software_q)},
        {"prior_gamma", offsetof(attr_params, prior_gamma)}, {"temperature", offsetof(attr_params, temperature)}};
    const char *eq = strchr(kv, '=');
    if (!eq) return -1;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strlen(t[i].n) == (size_t)(eq - kv) && !strncmp(kv, t[i].n, (size_t)(eq - kv))) {
            char *e;
            double v = strtod(eq + 1, &e);
            if (*e || e == eq + 1) return -1;
            *(double *)((char *)p + t[i].off) = v;
            return 0;
        }
    return -1;
}

static void metrics_json(sp_buf *b, const char *name, const attr_metrics *m)
{
    double n = m->n ? (double)m->n : 1;
    sp_buf_printf(b, "\"%s\": {\"top1\": %.4f, \"top3\": %.4f, \"top5\": %.4f, \"top10\": %.4f, \"mrr\": %.4f}", name,
                  m->top1 / n, m->top3 / n, m->top5 / n, m->top10 / n, m->mrr / n);
}

static void metrics_row(sp_buf *b, const char *name, const attr_metrics *m)
{
    double n = m->n ? (double)m->n : 1;
    sp_buf_printf(b, "    %-22s %5.3f  %5.3f  %5.3f  %5.3f  %5.3f\n", name, m->top1 / n, m->top3 / n, m->top5 / n,
                  m->top10 / n, m->mrr / n);
}

static const char *const conf_w[4] = {"", "low", "moderate", "high"};
static const char *const band_w[7] = {"almost no chance", "very unlikely", "unlikely", "roughly even chance",
                                      "likely", "very likely", "almost certain"};

static void calib_json(sp_buf *b, const attr_calib *c)
{
    sp_buf_printf(b, "{\"cases\": %zu, \"brier\": %.4f, \"unknown_top\": %zu, \"thin\": %zu, \"thin_low\": %zu, \"by_confidence\": {",
                  c->n, c->n ? c->brier / c->n : 0, c->unknown_top, c->thin, c->thin_low);
    for (int i = 1; i <= 3; i++)
        sp_buf_printf(b, "%s\"%s\": {\"n\": %zu, \"right\": %zu}", i > 1 ? ", " : "", conf_w[i], c->conf_n[i], c->conf_ok[i]);
    sp_buf_puts(b, "}, \"by_likelihood\": [");
    int first = 1;
    for (int i = 0; i < 7; i++) {
        if (!c->band_n[i]) continue;
        sp_buf_printf(b, "%s{\"term\": \"%s\", \"n\": %zu, \"right\": %zu, \"mean_likelihood\": %.4f}", first ? "" : ", ",
                      band_w[i], c->band_n[i], c->band_ok[i], c->band_p[i] / c->band_n[i]);
        first = 0;
    }
    sp_buf_puts(b, "]}");
}

static void calib_text(sp_buf *b, const char *title, const attr_calib *c)
{
    sp_buf_printf(b, "  %s: %zu cases, Brier score %.3f, \"not in the KB\" ranked first %zu times\n", title, c->n,
                  c->n ? c->brier / c->n : 0, c->unknown_top);
    sp_buf_puts(b, "    confidence of the top hypothesis   cases   right\n");
    for (int i = 3; i >= 1; i--)
        sp_buf_printf(b, "    %-34s %5zu   %5.1f%%\n", conf_w[i], c->conf_n[i],
                      c->conf_n[i] ? 100.0 * c->conf_ok[i] / c->conf_n[i] : 0.0);
    sp_buf_puts(b, "    stated likelihood (ICD 203)         cases   mean stated   right\n");
    for (int i = 6; i >= 0; i--)
        if (c->band_n[i])
            sp_buf_printf(b, "    %-34s %5zu   %9.1f%%   %5.1f%%\n", band_w[i], c->band_n[i],
                          100.0 * c->band_p[i] / c->band_n[i], 100.0 * c->band_ok[i] / c->band_n[i]);
    sp_buf_printf(b, "    thin evidence (<= 3 techniques, nothing else): %zu cases, stated low: %zu\n", c->thin, c->thin_low);
}

/* time sp_attr_assess on a No-Pineapple-sized set of findings */
static int time_assess(const char *attack, double *mean_ms, double *max_ms, size_t *hyps, double *build_ms)
{
    static const char *const tech[] = {"T1190", "T1505.003", "T1059.001", "T1059.003", "T1047", "T1106", "T1053.005",
                                       "T1543.003", "T1136.001", "T1098", "T1078", "T1068", "T1070.004", "T1070.001",
                                       "T1036.005", "T1553.002", "T1562.004", "T1112", "T1003.001", "T1003.002", "T1556",
                                       "T1016", "T1018", "T1087.002", "T1069.002", "T1057", "T1049", "T1082", "T1033",
                                       "T1654", "T1021.001", "T1021.002", "T1570", "T1114.002", "T1560.001", "T1074.001",
                                       "T1071.001", "T1090.002", "T1572", "T1048.002"};
    sp_kb *kb = NULL;
    if (cli_kb_load(attack, 0, NULL, &kb) != EX_OK) return -1;
    sp_evidence *ev = NULL;
    sp_attr *a = NULL;
    int rc = -1;
    if (sp_evidence_new(&ev) != SP_OK) goto done;
    for (size_t i = 0; i < sizeof tech / sizeof *tech; i++) sp_evidence_add_technique(ev, tech[i], 3, "high", "test", 1);
    sp_evidence_add_software(ev, "S0567", 1);
    sp_evidence_add_software(ev, "S0357", 1);
    sp_evidence_add_malware(ev, "GREASE2");
    sp_evidence_add_ip(ev, "175.45.176.27", "KP", 131279, "web_shell_client");
    sp_evidence_add_ip(ev, "209.95.60.92", "HK", 0, "web_shell_client");
    sp_evidence_set_bare_ip_c2(ev, 1);
    sp_evidence_set_hours(ev, 540, "moderate", 40);
    double t0 = attr_now_ms();
    if (sp_attr_new(kb, NULL, &a, NULL) != SP_OK) goto done;
    *build_ms = attr_now_ms() - t0;
    *hyps = sp_attr_hypothesis_count(a);
    double sum = 0, mx = 0;
    const int reps = 20;
    for (int r = 0; r < reps; r++) {
        sp_assessment *as = NULL;
        if (sp_attr_assess(a, ev, &as) != SP_OK) goto done;
        sp_assessment_info in;
        sp_assessment_get_info(as, &in);
        sum += in.ms;
        if (in.ms > mx) mx = in.ms;
        sp_assessment_free(as);
    }
    *mean_ms = sum / reps;
    *max_ms = mx;
    rc = 0;
done:
    sp_attr_free(a);
    sp_evidence_free(ev);
    sp_kb_free(kb);
    return rc;
}

static int bench_attribution(int argc, char **argv)
{
    const char *attack = NULL;
    int json = 0;
    unsigned min_items = 3;
    attr_params p = attr_default_params;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage_battr, stdout); return EX_OK; }
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--attack") && has) attack = argv[++i];
        else if (!strcmp(a, "--min-items") && has) {
            if (cli_parse_uint(argv[++i], &min_items) || !min_items) { fputs("spoor bench attribution: --min-items needs a number > 0\n", stderr); return EX_USAGE; }
        } else if (!strcmp(a, "--param") && has) {
            if (set_param(&p, argv[++i])) { fprintf(stderr, "spoor bench attribution: bad --param '%s'\n", argv[i]); return EX_USAGE; }
        } else {
            fprintf(stderr, "spoor bench attribution: unknown argument '%s'\n\n%s", a, usage_battr);
            return EX_USAGE;
        }
    }
    sp_kb *kb = NULL;
    if (cli_kb_load(attack, 1, NULL, &kb) != EX_OK) return EX_NOINPUT;
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    attr_bench_opts o = {min_items, 1};
    attr_bench_result r;
    if (attr_bench(kb, &p, &o, &r)) {
        fputs("spoor bench attribution: out of memory\n", stderr);
        sp_kb_free(kb);
        return EX_NOINPUT;
    }
    double mean_ms = 0, max_ms = 0, build_ms = 0;
    size_t hyps = 0;
    int timed = time_assess(attack, &mean_ms, &max_ms, &hyps, &build_ms) == 0;
    sp_buf *b = sp_buf_new();
    if (!b) { sp_kb_free(kb); return EX_NOINPUT; }
    if (json) {
        sp_buf_puts(b, "{\"attack\": {\"version\": ");
        cli_json_str(b, st.attack_version);
        sp_buf_puts(b, ", \"source\": ");
        cli_json_str(b, st.attack_source);
        sp_buf_printf(b, ", \"groups\": %zu, \"attributed_to\": %zu},\n", st.active[SP_KB_GROUP], r.attributed_to);
        sp_buf_printf(b, " \"params\": {\"mu\": %g, \"jm\": %g, \"family\": %g, \"sw_expand\": %g, \"campaign\": %g, \"report_bonus\": %g, "
                         "\"software_q\": %g, \"tool_q\": %g, \"sw_report\": %g, \"knn\": %g, \"swknn\": %g, \"prior_gamma\": %g, \"temperature\": %g, \"mode\": %g},\n",
                      p.mu, p.jm, p.family, p.sw_expand, p.campaign, p.report_bonus, p.software_q, p.tool_q, p.sw_report, p.knn, p.swknn,
                      p.prior_gamma,
                      p.temperature, p.mode);
        sp_buf_printf(b, " \"leave_one_campaign_out\": {\"cases\": %zu, ", r.loco.cases);
        metrics_json(b, "model", &r.loco.model);
        sp_buf_puts(b, ", ");
        metrics_json(b, "tfidf_cosine", &r.loco.tfidf);
        sp_buf_puts(b, ", \"calibration\": ");
        calib_json(b, &r.cal_loco);
        sp_buf_printf(b, ", \"ms\": %.1f},\n", r.loco.ms);
        sp_buf_printf(b, " \"leave_one_campaign_out_strict\": {\"cases\": %zu, ", r.loco_strict.cases);
        metrics_json(b, "model", &r.loco_strict.model);
        sp_buf_puts(b, ", ");
        metrics_json(b, "tfidf_cosine", &r.loco_strict.tfidf);
        sp_buf_printf(b, ", \"ms\": %.1f},\n", r.loco_strict.ms);
        sp_buf_printf(b, " \"leave_one_report_out\": {\"min_items\": %u, \"single_group_reports\": %zu, \"cases\": %zu, ", min_items,
                      r.single_group_reports, r.loro.cases);
        metrics_json(b, "model", &r.loro.model);
        sp_buf_puts(b, ", ");
        metrics_json(b, "tfidf_cosine", &r.loro.tfidf);
        sp_buf_puts(b, ", \"calibration\": ");
        calib_json(b, &r.cal_loro);
        sp_buf_printf(b, ", \"ms\": %.1f},\n", r.loro.ms);
        const attr_calib *os = &r.cal_open;
        sp_buf_printf(b, " \"open_set\": {\"cases\": %zu, \"unknown_top\": %zu, \"named_low\": %zu, \"named_moderate\": %zu, "
                         "\"named_high\": %zu, \"abstained\": %zu, \"ms\": %.1f},\n",
                      os->n, os->unknown_top, os->named[SP_CONF_LOW], os->named[SP_CONF_MODERATE], os->named[SP_CONF_HIGH],
                      os->unknown_top + os->named[SP_CONF_LOW], r.open.ms);
        if (timed)
            sp_buf_printf(b, " \"assess\": {\"hypotheses\": %zu, \"build_ms\": %.2f, \"mean_ms\": %.3f, \"max_ms\": %.3f}}\n", hyps,
                          build_ms, mean_ms, max_ms);
        else
            sp_buf_puts(b, " \"assess\": null}\n");
    } else {
        sp_buf_printf(b, "spoor bench attribution: ATT&CK %s (%s), %zu active groups; profiles off\n", st.attack_version,
                      st.attack_source, st.active[SP_KB_GROUP]);
        sp_buf_printf(b, "model: mu %g, family %g, sw_expand %g, campaign %g, report_bonus %g, software_q %g, tool_q %g, sw_report %g, knn %g, "
                         "swknn %g, prior_gamma %g, temperature %g%s\n\n",
                      p.mu, p.family, p.sw_expand, p.campaign, p.report_bonus, p.software_q, p.tool_q, p.sw_report, p.knn, p.swknn,
                      p.prior_gamma,
                      p.temperature, p.mode == 1 ? " (BM25)" : p.jm > 0 ? " (Jelinek-Mercer)" : "");
        sp_buf_printf(b, "(a) leave-one-campaign-out: %zu attributed-to relationships, %zu campaigns (%.0f ms)\n",
                      r.attributed_to, r.loco.cases, r.loco.ms);
        sp_buf_puts(b, "                           top-1  top-3  top-5  top-10 MRR\n");
        metrics_row(b, "spoor", &r.loco.model);
        metrics_row(b, "TF-IDF cosine", &r.loco.tfidf);
        sp_buf_puts(b, "    strict: also holding out every report the campaign cites\n");
        metrics_row(b, "spoor", &r.loco_strict.model);
        metrics_row(b, "TF-IDF cosine", &r.loco_strict.tfidf);
        sp_buf_printf(b, "\n(b) leave-one-report-out: %zu reports cited for one group, %zu with >= %u items (%.0f ms)\n",
                      r.single_group_reports, r.loro.cases, min_items, r.loro.ms);
        sp_buf_puts(b, "                           top-1  top-3  top-5  top-10 MRR\n");
        metrics_row(b, "spoor", &r.loro.model);
        metrics_row(b, "TF-IDF cosine", &r.loro.tfidf);
        sp_buf_puts(b, "\ncalibration (top hypothesis; \"right\" = it is the attributed group)\n");
        calib_text(b, "(a) campaigns", &r.cal_loco);
        calib_text(b, "(b) reports", &r.cal_loro);
        const attr_calib *os = &r.cal_open;
        sp_buf_printf(b, "\n(c) open set: %zu campaigns attributed to nobody (%.0f ms)\n"
                         "    abstained %zu (%.0f%%): \"not in the KB\" first %zu, a group first at low confidence %zu\n"
                         "    named a group at moderate confidence %zu, at high confidence %zu\n",
                      os->n, r.open.ms, os->unknown_top + os->named[SP_CONF_LOW],
                      os->n ? 100.0 * (os->unknown_top + os->named[SP_CONF_LOW]) / os->n : 0.0, os->unknown_top, os->named[SP_CONF_LOW],
                      os->named[SP_CONF_MODERATE], os->named[SP_CONF_HIGH]);
        if (timed)
            sp_buf_printf(b, "\nassessment time: %zu hypotheses (with profiles), model built in %.1f ms, "
                             "assess %.2f ms mean / %.2f ms max over 20 runs (47 evidence items)\n",
                          hyps, build_ms, mean_ms, max_ms);
    }
    fwrite(sp_buf_data(b), 1, sp_buf_len(b), stdout);
    sp_buf_free(b);
    sp_kb_free(kb);
    return EX_OK;
}

int cmd_bench(int argc, char **argv)
{
    static const struct { const char *name; int (*fn)(int, char **); } subs[] = {
        {"attribution", bench_attribution},
    };
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage_bench, argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        if (!strcmp(argv[1], subs[i].name)) return subs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "spoor bench: unknown benchmark '%s'\n\n%s", argv[1], usage_bench);
    return EX_USAGE;
}
