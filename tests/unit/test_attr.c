/* test_attr.c — attribution: the evidence object and its JSON reader, the
 * hours fit, IDF-like weights, evidence against (profiles), likelihoods
 * summing to 1, ICD 203 bands, thin evidence stated low, the benchmark's
 * exclusions, bench and assess agreeing, and assessment time. */
#include <stdlib.h>

#include "test.h"
#include "kb_util.h"
#include "spoor.h"
#include "attr/attr_int.h"
#include "attr/bench.h"
#include "base/buf.h"

static sp_kb *tiny(void)
{
    sp_kb *kb = NULL;
    sp_error err;
    sp_kb_new(&kb);
    CHECK_EQ_INT(sp_kb_load_attack_mem(kb, kb_file, strlen(kb_file), "tiny", &err), SP_OK);
    return kb;
}

static double sum_likelihood(const sp_assessment *as)
{
    double s = 0;
    for (size_t i = 0; i < sp_assessment_count(as); i++) s += sp_assessment_at(as, i)->likelihood;
    return s;
}

TEST(attr_evidence_ids_and_merge)
{
    char id[16];
    CHECK(ev_norm_technique("attack.t1059.001", id) && !strcmp(id, "T1059.001"));
    CHECK(ev_norm_technique("T1505", id) && !strcmp(id, "T1505"));
    CHECK(!ev_norm_technique("T15", id));
    CHECK(!ev_norm_technique("T1059.01", id));
    CHECK(!ev_norm_technique("T1059.001x", id));
    CHECK(!ev_norm_technique("S0567", id));
    CHECK(ev_norm_software("attack.s0567", id) && !strcmp(id, "S0567"));
    CHECK(!ev_norm_software("Dtrack", id));
    sp_evidence *ev = NULL;
    CHECK_EQ_INT(sp_evidence_new(&ev), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_technique(ev, "t1059.001", 2, "low", "experimental", 0), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_technique(ev, "T1059.001", 3, "high", "stable", 2), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_technique(ev, "bogus", 1, NULL, NULL, 0), SP_ERR_ARG);
    CHECK_EQ_INT(ev->ntech, 1);
    CHECK_EQ_INT(ev->tech[0].count, 5);
    CHECK_EQ_INT(ev->tech[0].level, 4);
    CHECK_EQ_INT(ev->tech[0].status, 1);
    CHECK_EQ_INT(ev->tech[0].hosts, 2);
    /* strength: level, status, volume */
    ev_tech lo = {.count = 1, .level = 2, .status = 3}, hi = {.count = 8, .level = 5, .status = 1, .hosts = 3}, st = {0};
    CHECK(ev_tech_strength(&lo) < ev_tech_strength(&hi));
    CHECK(ev_tech_strength(&hi) <= 1.0 && ev_tech_strength(&st) == 1.0);
    CHECK_EQ_INT(sp_evidence_add_software(ev, "attack.S0567", 1), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_software(ev, "s0567", 1), SP_OK);
    CHECK_EQ_INT(ev->nsw, 1);
    CHECK_EQ_INT(sp_evidence_add_country(ev, "kp"), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_country(ev, "KPX"), SP_ERR_ARG);
    CHECK_STR(ev->cc[0].s, "KP");
    CHECK_EQ_INT(sp_evidence_add_ip(ev, "175.45.176.27", "KP", 131279, "web_shell_client"), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_ip(ev, "175.45.176.27", "KP", 131279, "web_shell_client"), SP_OK);
    CHECK_EQ_INT(ev->nip, 1);
    CHECK_EQ_INT(sp_evidence_add_asn(ev, 0), SP_ERR_ARG);
    CHECK_EQ_INT(sp_evidence_set_hours(ev, 2000, "high", 1), SP_ERR_ARG);
    CHECK_EQ_INT(sp_evidence_set_hours(ev, 540, "sure", 1), SP_ERR_ARG);
    /* detections: tags become techniques and software, hosts counted */
    const char *tags[] = {"attack.persistence", "attack.t1505.003", "attack.s0567"};
    sp_rule_info ri;
    memset(&ri, 0, sizeof ri);
    ri.level = "high";
    ri.status = "test";
    ri.tags = tags;
    ri.ntags = 3;
    CHECK_EQ_INT(sp_evidence_add_hit(ev, &ri, "HOST-A"), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_hit(ev, &ri, "HOST-B"), SP_OK);
    CHECK_EQ_INT(sp_evidence_add_hit(ev, &ri, "host-a"), SP_OK);
    CHECK_EQ_INT(ev->ntech, 2);
    CHECK_STR(ev->tech[1].id, "T1505.003");
    CHECK_EQ_INT(ev->tech[1].count, 3);
    CHECK_EQ_INT(ev->tech[1].hosts, 2);
    CHECK_EQ_INT(ev->nsw, 1);
    sp_evidence_free(ev);
}

TEST(attr_evidence_json)
{
    static const char findings[] =
        "{\"detections\": 9, \"techniques\": [{\"id\": \"T1000\", \"count\": 1}],"
        " \"attribution_evidence\": {\"techniques\": [{\"id\": \"T1059.001\", \"count\": 3, \"max_level\": \"high\", \"hosts\": 1}],"
        " \"software\": [{\"id\": \"S0567\", \"count\": 1}],"
        " \"ips\": [{\"ip\": \"175.45.176.27\", \"country\": \"KP\", \"asn\": 131279, \"role\": \"web_shell_client\"}],"
        " \"countries\": [\"KP\"], \"asns\": [131279, \"AS4837\"],"
        " \"hours\": {\"utc_offset_min\": 540, \"confidence\": \"moderate\", \"events\": 40},"
        " \"malware_names\": [\"GREASE2\"], \"bare_ip_c2\": true}}";
    sp_evidence *ev = NULL;
    sp_error err;
    memset(&err, 0, sizeof err);
    sp_evidence_new(&ev);
    CHECK_EQ_INT(sp_evidence_parse_json(ev, findings, strlen(findings), "f.json", &err), SP_OK);
    CHECK_EQ_INT(ev->ntech, 1);          /* the evidence's own list wins over the summary's */
    CHECK_STR(ev->tech[0].id, "T1059.001");
    CHECK_EQ_INT(ev->nsw, 1);
    CHECK_EQ_INT(ev->nip, 1);
    CHECK_EQ_INT(ev->ip[0].asn, 131279);
    CHECK_EQ_INT(ev->nasn, 2);
    CHECK_EQ_INT(ev->nmal, 1);
    CHECK_EQ_INT(ev->bare_ip, 1);
    CHECK(ev->hours_known && ev->utc_off == 540 && ev->hours_conf == 2);
    sp_evidence_free(ev);

    static const char summary[] = "{\"techniques\": [{\"id\": \"T1505.003\", \"count\": 2}], \"rules\": [{\"id\": \"x\"}]}";
    sp_evidence_new(&ev);
    CHECK_EQ_INT(sp_evidence_parse_json(ev, summary, strlen(summary), "s.json", &err), SP_OK);
    CHECK_EQ_INT(ev->ntech, 1);
    sp_evidence_free(ev);

    static const char file[] =
        "{\"techniques\": [\"T1059.001\", \"T1505.003\"], \"software\": [\"Dtrack\"], \"malware\": [\"GREASE2\"],"
        " \"ips\": [\"1.2.3.4\"], \"hours\": {\"utc_offset_min\": -300}, \"victim_sector\": \"Healthcare\", \"victim_country\": \"IN\"}";
    sp_evidence_new(&ev);
    CHECK_EQ_INT(sp_evidence_parse_json(ev, file, strlen(file), "e.json", &err), SP_OK);
    CHECK_EQ_INT(ev->ntech, 2);
    CHECK_STR(ev->sw[0].s, "Dtrack");
    CHECK_STR(ev->sector, "healthcare");
    CHECK_EQ_INT(ev->utc_off, -300);
    CHECK_EQ_INT(sp_evidence_size(ev), 5);
    sp_evidence_free(ev);

    static const char *const bad[] = {
        "", "[]", "{\"techniques\": \"T1059\"}", "{\"techniques\": [\"X1059\"]}", "{\"techniques\": [1]}",
        "{\"ips\": [{\"ip\": \"1.2.3.4\", \"country\": \"KPX\"}]}", "{\"asns\": [-1]}", "{\"hours\": {\"utc_offset_min\": \"9\"}}",
        "{\"bare_ip_c2\": \"yes\"}", "{\"attribution_evidence\": []}", "{\"a\": 1, \"a\": 2}", "{\"victim_sector\": 3}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sp_evidence_new(&ev);
        memset(&err, 0, sizeof err);
        sp_status s = sp_evidence_parse_json(ev, bad[i], strlen(bad[i]), "bad.json", &err);
        CHECK(s == SP_ERR_FORMAT);
        CHECK_STR(err.file, "bad.json");
        CHECK(err.msg[0] != 0);
        sp_evidence_free(ev);
    }
}

TEST(attr_hours_fit)
{
    /* 60 events Monday-Friday 10:00-17:00 at UTC+9 (2023-01-02 was a Monday) */
    int64_t t[60];
    const int64_t monday = 1672617600LL;     /* 2023-01-02T00:00:00Z */
    for (int i = 0; i < 60; i++) {
        int day = i % 5, hour_local = 10 + (i % 7);
        t[i] = (monday + day * 86400LL + (hour_local - 9) * 3600LL + 60 * i) * 1000;
    }
    sp_evidence *ev = NULL;
    sp_evidence_new(&ev);
    CHECK_EQ_INT(sp_evidence_fit_hours(ev, t, 5), SP_ERR_ARG);
    CHECK_EQ_INT(sp_evidence_fit_hours(ev, t, 60), SP_OK);
    CHECK(ev->hours_known);
    CHECK(ev->utc_off >= 7 * 60 && ev->utc_off <= 11 * 60);
    printf("  hours fit: UTC%+d, confidence %d\n", ev->utc_off / 60, ev->hours_conf);
    sp_evidence_free(ev);
}

TEST(attr_icd203_and_words)
{
    CHECK_STR(sp_icd203_term(0.01), "almost no chance");
    CHECK_STR(sp_icd203_term(0.10), "very unlikely");
    CHECK_STR(sp_icd203_term(0.30), "unlikely");
    CHECK_STR(sp_icd203_term(0.50), "roughly even chance");
    CHECK_STR(sp_icd203_term(0.70), "likely");
    CHECK_STR(sp_icd203_term(0.90), "very likely");
    CHECK_STR(sp_icd203_term(0.97), "almost certain");
    CHECK_STR(sp_confidence_word(SP_CONF_HIGH), "high");
    CHECK_STR(sp_confidence_word(SP_CONF_MODERATE), "moderate");
    CHECK_STR(sp_confidence_word(SP_CONF_LOW), "low");
}

TEST(attr_idf_like_weights)
{
    sp_kb *kb = tiny();
    attr_model m;
    CHECK_EQ_INT(attr_model_build(&m, kb, NULL, NULL), 0);
    size_t laz = SIZE_MAX, kim = SIZE_MAX, t505, t059;
    for (size_t g = 0; g < m.ng; g++) {
        const char *id = sp_kb_object_at(kb, SP_KB_GROUP, m.gidx[g])->id;
        if (!strcmp(id, "G0032")) laz = g;
        if (!strcmp(id, "G0094")) kim = g;
        CHECK(strcmp(id, "G0999") && strcmp(id, "G0086"));    /* deprecated and revoked are no hypotheses */
    }
    CHECK(sp_kb_lookup(kb, SP_KB_TECHNIQUE, "T1505", &t505));
    CHECK(sp_kb_lookup(kb, SP_KB_TECHNIQUE, "T1059.001", &t059));
    CHECK(laz != SIZE_MAX && kim != SIZE_MAX);
    if (laz != SIZE_MAX && kim != SIZE_MAX) {
        /* a technique one group uses says more than one both use */
        CHECK(am_llr(&m, laz, am_ft(&m, t505)) > am_llr(&m, laz, am_ft(&m, t059)));
        CHECK(am_llr(&m, laz, am_ft(&m, t505)) > 0);
        CHECK(am_llr(&m, kim, am_ft(&m, t505)) < 0);
        CHECK_EQ_INT(m.df[am_ft(&m, t059)], 2);
    }
    attr_model_free(&m);
    sp_kb_free(kb);
}

/* tools anyone runs count less than malware; a feature no group has weighs
 * the same for every group (it speaks only for the unknown actor) */
TEST(attr_tool_weight_and_novel_features)
{
    sp_kb *kb = tiny();
    attr_model m;
    CHECK_EQ_INT(attr_model_build(&m, kb, NULL, NULL), 0);
    size_t mal, tool;
    CHECK(sp_kb_lookup(kb, SP_KB_SOFTWARE, "S0567", &mal));
    CHECK(sp_kb_lookup(kb, SP_KB_SOFTWARE, "S0002", &tool));
    CHECK(sp_kb_object_at(kb, SP_KB_SOFTWARE, tool)->is_tool);
    CHECK(am_swq(&m, tool) < am_swq(&m, mal));
    CHECK(am_swq(&m, mal) == m.p.software_q);
    size_t novel = SIZE_MAX;
    for (size_t f = 0; f < m.nf && novel == SIZE_MAX; f++) if (!m.df[f]) novel = f;
    CHECK(novel != SIZE_MAX);
    if (novel != SIZE_MAX) {
        CHECK(am_llr(&m, 0, novel) < 0);
        for (size_t g = 1; g < m.ng; g++) CHECK(am_llr(&m, g, novel) == am_llr(&m, 0, novel));
    }
    attr_model_free(&m);
    sp_kb_free(kb);
}

TEST(attr_exclusion_drops_links_citing_only_held_out_reports)
{
    sp_kb *kb = tiny();
    size_t g, t505, t059;
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "G0032", &g));
    CHECK(sp_kb_lookup(kb, SP_KB_TECHNIQUE, "T1505", &t505));
    CHECK(sp_kb_lookup(kb, SP_KB_TECHNIQUE, "T1059.001", &t059));
    uint8_t out[3] = {1, 0, 0};                /* hold out "Report A" (key 0) */
    attr_excl ex = {out, 3, UINT32_MAX, 1};
    const sp_kb_link *L;
    size_t n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, SP_KB_TECHNIQUE, &L);
    for (size_t i = 0; i < n; i++) {
        if (L[i].target == t505) CHECK_EQ_INT(attr_link_kept(kb, &L[i], &ex), -1);   /* cites only A */
        if (L[i].target == t059) CHECK_EQ_INT(attr_link_kept(kb, &L[i], &ex), 1);    /* A and B: B stays */
    }
    /* the held-out campaign is not merged into its group */
    size_t c;
    CHECK(sp_kb_lookup(kb, SP_KB_CAMPAIGN, "C0022", &c));
    attr_excl ex2 = {out, 3, (uint32_t)c, 1};
    attr_model m;
    CHECK_EQ_INT(attr_model_build(&m, kb, NULL, &ex2), 0);
    for (size_t k = 0; k < m.ng; k++)
        if (m.gidx[k] == g) CHECK(m.c[k * m.nf + am_ft(&m, t505)] == 0);
    attr_model_free(&m);
    sp_kb_free(kb);
}

TEST(attr_assess_tiny)
{
    sp_kb *kb = tiny();
    sp_attr *a = NULL;
    sp_error err;
    CHECK_EQ_INT(sp_attr_new(kb, NULL, &a, &err), SP_OK);
    sp_evidence *ev = NULL;
    sp_evidence_new(&ev);
    sp_evidence_add_technique(ev, "T1505", 0, NULL, NULL, 0);
    sp_evidence_add_software(ev, "Preft", 1);               /* an alias of Dtrack */
    sp_assessment *as = NULL;
    CHECK_EQ_INT(sp_attr_assess(a, ev, &as), SP_OK);
    if (as) {
        CHECK_EQ_INT(sp_assessment_count(as), sp_attr_hypothesis_count(a));
        CHECK_STR(sp_assessment_at(as, 0)->id, "G0032");
        CHECK(sp_assessment_find(as, "unknown") != NULL);
        CHECK(sp_assessment_find(as, "HIDDEN COBRA") == sp_assessment_at(as, 0));
        CHECK(sum_likelihood(as) > 0.999 && sum_likelihood(as) < 1.001);
        const sp_hypothesis *h = sp_assessment_at(as, 0);
        CHECK(h->nfor >= 2);
        for (size_t i = 1; i < h->nfor; i++) CHECK(h->for_items[i - 1].weight >= h->for_items[i].weight);
        sp_assessment_info in;
        sp_assessment_get_info(as, &in);
        CHECK_EQ_INT(in.techniques, 1);
        CHECK_EQ_INT(in.software, 1);
        CHECK(!in.thin);
        sp_buf *b = sp_buf_new();
        CHECK_EQ_INT(sp_assessment_json(as, 3, b), SP_OK);
        CHECK(strstr(sp_buf_data(b), "\"hypotheses\"") && strstr(sp_buf_data(b), "\"hunt_next\""));
        sp_buf_reset(b);
        CHECK_EQ_INT(sp_assessment_text(as, 3, b), SP_OK);
        CHECK(strstr(sp_buf_data(b), "Leading hypothesis: Lazarus Group"));
        sp_buf_free(b);
    }
    sp_assessment_free(as);
    sp_evidence_free(ev);
    /* thin evidence: stated low whatever the likelihood */
    sp_evidence_new(&ev);
    sp_evidence_add_technique(ev, "T1505", 0, NULL, NULL, 0);
    CHECK_EQ_INT(sp_attr_assess(a, ev, &as), SP_OK);
    if (as) {
        sp_assessment_info in;
        sp_assessment_get_info(as, &in);
        CHECK(in.thin);
        for (size_t i = 0; i < sp_assessment_count(as); i++) CHECK(sp_assessment_at(as, i)->confidence == SP_CONF_LOW);
    }
    sp_assessment_free(as);
    sp_evidence_free(ev);
    /* no evidence at all: fine, and sums to 1 */
    sp_evidence_new(&ev);
    CHECK_EQ_INT(sp_attr_assess(a, ev, &as), SP_OK);
    if (as) CHECK(sum_likelihood(as) > 0.999 && sum_likelihood(as) < 1.001);
    sp_assessment_free(as);
    sp_evidence_free(ev);
    sp_attr_free(a);
    sp_kb_free(kb);
}

static const char prof_kim[] =
    "id: G0094\nname: Kimsuky\ncluster: dprk\n"
    "countries:\n  - {value: KP, refs: [r1]}\n"
    "motivation:\n  - {value: espionage, refs: [r1]}\n"
    "infrastructure:\n  bare_ip_c2: {value: false, refs: [r1]}\n"
    "working_hours: {utc_offset: \"+09:00\", days: mon-fri, hours: \"09-18\", refs: [r1]}\n"
    "references:\n  r1: {url: https://example.org/k, title: K}\n";
static const char prof_ru[] =
    "id: spoor-rugroup\nname: Some Russian Crew\ncluster: ecrime\n"
    "countries:\n  - {value: RU, refs: [r1]}\n"
    "motivation:\n  - {value: financial, refs: [r1]}\n"
    "malware:\n  - {value: GoLoader, refs: [r1]}\n"
    "techniques:\n  - {value: T1059.001, refs: [r1]}\n"
    "working_hours: {utc_offset: \"+03:00\", days: mon-fri, hours: \"09-18\", refs: [r1]}\n"
    "references:\n  r1: {url: https://example.org/r, title: R}\n";

TEST(attr_profile_evidence_for_and_against)
{
    sp_kb *kb = tiny();
    sp_error err;
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "kim.yml", prof_kim, strlen(prof_kim), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "ru.yml", prof_ru, strlen(prof_ru), &err), SP_OK);
    CHECK_EQ_INT(sp_kb_rejection_count(kb), 0);
    sp_attr *a = NULL;
    CHECK_EQ_INT(sp_attr_new(kb, NULL, &a, &err), SP_OK);
    sp_evidence *ev = NULL;
    sp_evidence_new(&ev);
    sp_evidence_add_technique(ev, "T1059.001", 0, NULL, NULL, 0);
    sp_evidence_add_ip(ev, "175.45.176.27", "KP", 131279, "web_shell_client");
    sp_evidence_set_bare_ip_c2(ev, 1);
    sp_evidence_set_hours(ev, 540, "high", 50);
    sp_evidence_add_malware(ev, "goloader");
    sp_assessment *as = NULL;
    CHECK_EQ_INT(sp_attr_assess(a, ev, &as), SP_OK);
    const sp_hypothesis *k = as ? sp_assessment_find(as, "G0094") : NULL, *r = as ? sp_assessment_find(as, "spoor-rugroup") : NULL;
    CHECK(k && r);
    if (k && r) {
        int kp = 0, hours = 0, bare_against = 0, ru_hours_against = 0, ru_malware = 0, ru_country_against = 0;
        for (size_t i = 0; i < k->nfor; i++) {
            if (!strcmp(k->for_items[i].kind, "country") && !strcmp(k->for_items[i].id, "KP")) kp = 1;
            if (!strcmp(k->for_items[i].kind, "hours")) hours = 1;
        }
        for (size_t i = 0; i < k->nagainst; i++)
            if (!strcmp(k->against[i].id, "bare_ip_c2")) bare_against = 1;   /* its profile says domains */
        for (size_t i = 0; i < r->nagainst; i++) {
            if (!strcmp(r->against[i].kind, "hours")) ru_hours_against = 1;
            if (!strcmp(r->against[i].kind, "country")) ru_country_against = 1;
        }
        for (size_t i = 0; i < r->nfor; i++)
            if (!strcmp(r->for_items[i].kind, "malware")) ru_malware = 1;
        CHECK(kp && hours && bare_against && ru_hours_against && ru_malware && ru_country_against);
        CHECK_STR(k->cluster, "dprk");
        CHECK(sp_assessment_cluster_count(as) == 2);
    }
    sp_assessment_free(as);
    sp_evidence_free(ev);
    sp_attr_free(a);
    sp_kb_free(kb);
}

/* the shipped knowledge base: bench scoring and sp_attr_assess agree, and
 * assessing takes well under 50 ms for ~200 hypotheses */
TEST(attr_shipped_kb_consistency_and_time)
{
    const char *path = "intel/attack/enterprise-attack.kb.gz";
    FILE *f = fopen(path, "rb");
    if (!f) SKIP("intel/attack/enterprise-attack.kb.gz not found (run from the repository root)");
    fclose(f);
    sp_kb *kb = NULL;
    sp_error err;
    sp_kb_new(&kb);
    CHECK_EQ_INT(sp_kb_load_attack(kb, path, &err), SP_OK);
    static const char *const tech[] = {"T1190", "T1505.003", "T1059.001", "T1059.003", "T1047", "T1053.005", "T1543.003",
                                       "T1136.001", "T1003.001", "T1016", "T1018", "T1021.001", "T1560.001", "T1090.002"};
    sp_evidence *ev = NULL;
    sp_evidence_new(&ev);
    for (size_t i = 0; i < sizeof tech / sizeof *tech; i++) sp_evidence_add_technique(ev, tech[i], 0, NULL, NULL, 0);
    sp_evidence_add_software(ev, "S0567", 1);
    sp_attr *a = NULL;
    CHECK_EQ_INT(sp_attr_new(kb, NULL, &a, &err), SP_OK);
    sp_assessment *as = NULL;
    CHECK_EQ_INT(sp_attr_assess(a, ev, &as), SP_OK);
    /* the same through the benchmark's path */
    attr_model m;
    CHECK_EQ_INT(attr_model_build(&m, kb, NULL, NULL), 0);
    attr_query q = {0};
    for (size_t i = 0; i < sizeof tech / sizeof *tech; i++) {
        size_t t;
        if (sp_kb_lookup(kb, SP_KB_TECHNIQUE, tech[i], &t)) aq_technique(&q, &m, t, 1.0);
    }
    size_t s;
    if (sp_kb_lookup(kb, SP_KB_SOFTWARE, "S0567", &s)) aq_software(&q, &m, s, 1.0);
    double *score = calloc(m.ng, sizeof *score);
    attr_score(&m, &q, score);
    size_t best = 0;
    for (size_t g = 0; g < m.ng; g++) { score[g] += m.logprior[g]; if (score[g] > score[best]) best = g; }
    const sp_hypothesis *h0 = NULL;
    for (size_t i = 0; as && i < sp_assessment_count(as); i++)
        if (!sp_assessment_at(as, i)->is_unknown) { h0 = sp_assessment_at(as, i); break; }
    CHECK(h0 && !strcmp(h0->id, sp_kb_object_at(kb, SP_KB_GROUP, m.gidx[best])->id));
    sp_assessment_info in;
    sp_assessment_get_info(as, &in);
    printf("  %zu hypotheses assessed in %.2f ms (top %s; mean profile weight %.1f)\n", sp_assessment_count(as), in.ms,
           h0 ? h0->id : "?", m.avg_len);
    CHECK(in.ms < 500);    /* generous: the bench reports the real figure */
    free(score);
    aq_free(&q);
    attr_model_free(&m);
    sp_assessment_free(as);
    sp_attr_free(a);
    sp_evidence_free(ev);
    sp_kb_free(kb);
}

/* found by fuzz_evidence: every address giving both a country and an ASN */
TEST(attr_many_addresses_with_country_and_asn)
{
    sp_kb *kb = tiny();
    sp_error err;
    CHECK_EQ_INT(sp_kb_add_profile_yaml(kb, "kim.yml", prof_kim, strlen(prof_kim), &err), SP_OK);
    sp_attr *a = NULL;
    CHECK_EQ_INT(sp_attr_new(kb, NULL, &a, &err), SP_OK);
    sp_evidence *ev = NULL;
    sp_evidence_new(&ev);
    static const char *const cc[] = {"KP", "US", "HK", "DE", "FR", "CN"};
    for (unsigned i = 0; i < 6; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "10.0.0.%u", i);
        CHECK_EQ_INT(sp_evidence_add_ip(ev, ip, cc[i], 1000 + i, "operator"), SP_OK);
    }
    sp_assessment *as = NULL;
    CHECK_EQ_INT(sp_attr_assess(a, ev, &as), SP_OK);
    CHECK(as && sum_likelihood(as) > 0.999);
    sp_assessment_free(as);
    sp_evidence_free(ev);
    sp_attr_free(a);
    sp_kb_free(kb);
}
