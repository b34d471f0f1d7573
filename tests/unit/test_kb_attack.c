/* test_kb_attack.c — the ATT&CK loaders (STIX 2.0 / 2.1 bundles, spoor's KB
 * file, gzip and zstd input) and the queries, on the tiny data set of
 * kb_util.h: every form must give the same knowledge base. */
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include "test.h"
#include "kb_util.h"
#include "spoor.h"

static size_t idx(const sp_kb *kb, sp_kb_kind k, const char *name)
{
    size_t i = SIZE_MAX;
    if (!sp_kb_lookup(kb, k, name, &i)) return SIZE_MAX;
    return i;
}

static const char *id_at(const sp_kb *kb, sp_kb_kind k, size_t i)
{
    const sp_kb_object *o = sp_kb_object_at(kb, k, i);
    return o ? o->id : "(none)";
}

/* the facts of the tiny data set, whatever form it was loaded from */
static void check_tiny(const sp_kb *kb)
{
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK_EQ_INT(st.objects[SP_KB_GROUP], 4);
    CHECK_EQ_INT(st.active[SP_KB_GROUP], 2);
    CHECK_EQ_INT(st.objects[SP_KB_TECHNIQUE], 5);
    CHECK_EQ_INT(st.active[SP_KB_TECHNIQUE], 3);
    CHECK_EQ_INT(st.subtechniques_active, 1);
    CHECK_EQ_INT(st.active[SP_KB_SOFTWARE], 2);
    CHECK_EQ_INT(st.malware_active, 1);
    CHECK_EQ_INT(st.tools_active, 1);
    CHECK_EQ_INT(st.active[SP_KB_TACTIC], 2);
    CHECK_EQ_INT(st.active[SP_KB_CAMPAIGN], 1);
    CHECK_EQ_INT(st.uses_group_technique, 3);
    CHECK_EQ_INT(st.uses_group_software, 1);     /* the deprecated one is not counted */
    CHECK_EQ_INT(st.uses_campaign_technique, 1);
    CHECK_EQ_INT(st.uses_campaign_software, 1);
    CHECK_EQ_INT(st.uses_software_technique, 1);
    CHECK_EQ_INT(st.attributed_to, 1);
    CHECK_EQ_INT(st.subtechnique_of, 1);
    CHECK_EQ_INT(st.revoked_by, 2);
    CHECK_EQ_INT(st.reports, 3);

    /* lookups: ID, name, alias, any case, revoked-by followed */
    size_t laz = idx(kb, SP_KB_GROUP, "G0032"), kim = idx(kb, SP_KB_GROUP, "kimsuky");
    CHECK(laz != SIZE_MAX && kim != SIZE_MAX);
    CHECK_EQ_INT(idx(kb, SP_KB_GROUP, "hidden cobra"), laz);
    CHECK_EQ_INT(idx(kb, SP_KB_GROUP, "  Diamond Sleet "), laz);
    CHECK_EQ_INT(idx(kb, SP_KB_GROUP, "Stolen Pencil"), kim);
    CHECK_EQ_INT(idx(kb, SP_KB_GROUP, "g0086"), kim);
    CHECK_EQ_INT(idx(kb, SP_KB_GROUP, "Mimikatz"), SIZE_MAX);       /* another kind */
    CHECK_EQ_INT(idx(kb, SP_KB_GROUP, "No ATT&CK ID"), SIZE_MAX);   /* skipped */
    CHECK_STR(id_at(kb, SP_KB_TECHNIQUE, idx(kb, SP_KB_TECHNIQUE, "T1000")), "T1059");
    CHECK_STR(id_at(kb, SP_KB_SOFTWARE, idx(kb, SP_KB_SOFTWARE, "PREFT")), "S0567");
    CHECK_STR(id_at(kb, SP_KB_CAMPAIGN, idx(kb, SP_KB_CAMPAIGN, "operation north star")), "C0022");
    size_t dep = idx(kb, SP_KB_GROUP, "G0999");
    CHECK(dep != SIZE_MAX && sp_kb_object_at(kb, SP_KB_GROUP, dep)->deprecated);

    const sp_kb_object *g = sp_kb_object_at(kb, SP_KB_GROUP, laz);
    CHECK_STR(g->name, "Lazarus Group");
    CHECK_EQ_INT(g->naliases, 2);           /* the name is not repeated */
    CHECK(g->in_attack && !g->revoked && !g->deprecated && !g->profile);
    const sp_kb_object *sp = sp_kb_object_at(kb, SP_KB_GROUP, idx(kb, SP_KB_GROUP, "G0086"));
    CHECK(sp->revoked == 0);                /* lookup returned the replacement */

    /* group -> techniques, with their reports */
    const sp_kb_link *L;
    size_t n = sp_kb_links(kb, SP_KB_GROUP, laz, SP_KB_USES, SP_KB_TECHNIQUE, &L);
    CHECK_EQ_INT(n, 2);
    int saw_ps = 0;
    for (size_t i = 0; i < n; i++) {
        const char *tid = id_at(kb, SP_KB_TECHNIQUE, L[i].target);
        CHECK(L[i].from_attack && !L[i].from_profile);
        if (!strcmp(tid, "T1059.001")) {
            saw_ps = 1;
            CHECK_EQ_INT(L[i].nreports, 2);
            if (L[i].nreports == 2) {
                CHECK_STR(sp_kb_report_at(kb, L[i].reports[0])->url, "https://a.example/1");
                CHECK_STR(sp_kb_report_at(kb, L[i].reports[1])->source, "Report B");
            }
        } else {
            CHECK_STR(tid, "T1505");
        }
    }
    CHECK(saw_ps);
    n = sp_kb_links(kb, SP_KB_GROUP, laz, SP_KB_USES, SP_KB_SOFTWARE, &L);
    CHECK_EQ_INT(n, 1);
    if (n) {
        CHECK_STR(id_at(kb, SP_KB_SOFTWARE, L[0].target), "S0567");
        CHECK_EQ_INT(L[0].nreports, 1);
        if (L[0].nreports) { CHECK_STR(sp_kb_report_at(kb, L[0].reports[0])->source, "Report C"); CHECK_STR(sp_kb_report_at(kb, L[0].reports[0])->url, ""); }
    }
    /* technique -> groups using it */
    size_t ps = idx(kb, SP_KB_TECHNIQUE, "T1059.001");
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_TECHNIQUE, ps, SP_KB_USED_BY, SP_KB_GROUP, NULL), 2);
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_TECHNIQUE, idx(kb, SP_KB_TECHNIQUE, "T1059"), SP_KB_USED_BY, SP_KB_GROUP, NULL), 0);
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_TECHNIQUE, idx(kb, SP_KB_TECHNIQUE, "T1059"), SP_KB_USED_BY, SP_KB_SOFTWARE, NULL), 1);
    /* sub-technique and tactics */
    const sp_kb_object *t = sp_kb_object_at(kb, SP_KB_TECHNIQUE, ps);
    CHECK(t->subtechnique);
    CHECK_STR(id_at(kb, SP_KB_TECHNIQUE, t->parent), "T1059");
    CHECK_EQ_INT(t->ntactics, 1);
    if (t->ntactics) CHECK_STR(sp_kb_object_at(kb, SP_KB_TACTIC, t->tactics[0])->shortname, "execution");
    t = sp_kb_object_at(kb, SP_KB_TECHNIQUE, idx(kb, SP_KB_TECHNIQUE, "T1505"));
    CHECK_EQ_INT(t->ntactics, 1);           /* the other kill chain is ignored */
    CHECK_EQ_INT(t->parent, SIZE_MAX);
    /* campaigns */
    size_t c = idx(kb, SP_KB_CAMPAIGN, "C0022");
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_CAMPAIGN, c, SP_KB_ATTRIBUTED_TO, SP_KB_GROUP, &L), 1);
    CHECK_EQ_INT(L[0].target, laz);
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_GROUP, laz, SP_KB_ATTRIBUTED, SP_KB_CAMPAIGN, &L), 1);
    CHECK_EQ_INT(L[0].target, c);
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_CAMPAIGN, c, SP_KB_USES, SP_KB_TECHNIQUE, NULL), 1);
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_CAMPAIGN, c, SP_KB_USES, SP_KB_SOFTWARE, &L), 1);
    CHECK(sp_kb_object_at(kb, SP_KB_SOFTWARE, L[0].target)->is_tool);
    CHECK_STR(sp_kb_object_at(kb, SP_KB_CAMPAIGN, c)->first_seen, "2019-09-01T04:00:00.000Z");
    /* out of range is harmless */
    CHECK_EQ_INT(sp_kb_links(kb, SP_KB_GROUP, 9999, SP_KB_USES, SP_KB_TECHNIQUE, &L), 0);
    CHECK(L == NULL);
    CHECK(sp_kb_object_at(kb, SP_KB_GROUP, 9999) == NULL);
}

static sp_kb *load_mem(const void *p, size_t n, sp_status want)
{
    sp_kb *kb = NULL;
    sp_error err;
    memset(&err, 0, sizeof err);
    CHECK(sp_kb_new(&kb) == SP_OK);
    sp_status s = sp_kb_load_attack_mem(kb, p, n, "tiny", &err);
    if (s != want) printf("  load: %d %s\n", s, err.msg);
    CHECK_EQ_INT(s, want);
    return kb;
}

TEST(kb_stix20)
{
    sp_kb *kb = load_mem(kb_bundle20, strlen(kb_bundle20), SP_OK);
    check_tiny(kb);
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK_STR(st.attack_format, "stix-2.0");
    CHECK_STR(st.attack_version, "unknown");
    sp_kb_free(kb);
}

TEST(kb_stix21)
{
    sp_kb *kb = load_mem(kb_bundle21, strlen(kb_bundle21), SP_OK);
    check_tiny(kb);
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK_STR(st.attack_format, "stix-2.1");
    CHECK_STR(st.attack_version, "99.1");
    CHECK_STR(st.notice, "Copyright test");
    sp_kb_free(kb);
}

TEST(kb_file_format)
{
    sp_kb *kb = load_mem(kb_file, strlen(kb_file), SP_OK);
    check_tiny(kb);
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK_STR(st.attack_format, "kb");
    CHECK_STR(st.attack_version, "99.1");
    sp_kb_free(kb);
}

TEST(kb_compressed_input)
{
    /* gzip */
    z_stream z;
    memset(&z, 0, sizeof z);
    unsigned char gz[8192], zs[8192];
    CHECK(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    z.next_in = (unsigned char *)(uintptr_t)kb_bundle21;
    z.avail_in = (unsigned)strlen(kb_bundle21);
    z.next_out = gz;
    z.avail_out = sizeof gz;
    CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
    size_t gzlen = z.total_out;
    deflateEnd(&z);
    sp_kb *kb = load_mem(gz, gzlen, SP_OK);
    check_tiny(kb);
    sp_kb_free(kb);
    /* truncated gzip is an error, not a crash */
    kb = load_mem(gz, gzlen / 2, SP_ERR_FORMAT);
    CHECK_EQ_INT(sp_kb_count(kb, SP_KB_GROUP), 0);
    sp_kb_free(kb);
    /* zstd */
    size_t zlen = ZSTD_compress(zs, sizeof zs, kb_file, strlen(kb_file), 3);
    CHECK(!ZSTD_isError(zlen));
    kb = load_mem(zs, zlen, SP_OK);
    check_tiny(kb);
    sp_kb_free(kb);
    kb = load_mem(zs, zlen - 5, SP_ERR_FORMAT);
    sp_kb_free(kb);
}

static void bad_input(const char *text, const char *want)
{
    sp_kb *kb = NULL;
    sp_error err;
    memset(&err, 0, sizeof err);
    sp_kb_new(&kb);
    sp_status s = sp_kb_load_attack_mem(kb, text, strlen(text), "bad", &err);
    CHECK_EQ_INT(s, SP_ERR_FORMAT);
    if (!strstr(err.msg, want)) printf("  message '%s' lacks '%s'\n", err.msg, want);
    CHECK(strstr(err.msg, want) != NULL);
    CHECK_STR(err.file, "bad");
    CHECK_EQ_INT(sp_kb_count(kb, SP_KB_GROUP), 0);   /* nothing half-loaded */
    sp_kb_free(kb);
}

TEST(kb_bad_input)
{
    bad_input("{\"type\": \"bundle\", \"objects\": [", "JSON");
    bad_input("{\"type\": \"report\", \"objects\": []}", "not a STIX bundle");
    bad_input("hello\n", "not a spoor ATT&CK KB file");
    bad_input("", "empty");
    bad_input("spoor-attack-kb\t2\n", "unsupported KB format version");
    bad_input("spoor-attack-kb\t1\nG\tG0001\tA\t-\t\nR\tuses\tG0001\tT9999\t\n", "line 3: unknown object 'T9999'");
    bad_input("spoor-attack-kb\t1\nG\tG0001\tA\t-\t\nT\tT0001\tB\t-\t\n", "line 3: record out of order");
    bad_input("spoor-attack-kb\t1\nG\tG0001\tA\t-\t\nG\tG0001\tB\t-\t\n", "duplicate ID");
    bad_input("spoor-attack-kb\t1\nG\tS0001\tA\t-\t\n", "does not fit");
    bad_input("spoor-attack-kb\t1\nG\tG0001\tA\t-\n", "wrong number of fields");
    bad_input("spoor-attack-kb\t1\nP\t3\tx\t\n", "numbered");
    bad_input("spoor-attack-kb\t1\nG\tG0001\tA\t-\t\nR\tuses\tG0001\tG0001\t\n", "not supported");
    bad_input("spoor-attack-kb\t1\nT\tT0001\tB\t-\t\nG\tG0001\tA\t-\t\nR\tuses\tG0001\tT0001\t7\n", "unknown report");
    bad_input("spoor-attack-kb\t1\nX\tx\n", "unknown record type");
    sp_kb *kb = NULL;
    sp_kb_new(&kb);
    CHECK_EQ_INT(sp_kb_load_attack(kb, "/nonexistent/enterprise-attack.json", NULL), SP_ERR_IO);
    sp_kb_free(kb);
}

TEST(kb_load_order)
{
    sp_kb *kb = load_mem(kb_file, strlen(kb_file), SP_OK);
    sp_error err;
    CHECK_EQ_INT(sp_kb_load_attack_mem(kb, kb_file, strlen(kb_file), "again", &err), SP_ERR_ARG);
    check_tiny(kb);     /* the refused second load changed nothing */
    sp_kb_free(kb);
    CHECK_STR(sp_kb_kind_name(SP_KB_CAMPAIGN), "campaign");
}

/* the shipped KB and the shared bundle: see tests/corpus/test_intel_kb.py for
 * the counts; here only that the shipped file loads fast through the API */
TEST(kb_shipped_file)
{
    const char *p = "intel/attack/enterprise-attack.kb.gz";
    FILE *f = fopen(p, "rb");
    if (!f) SKIP("intel/attack/enterprise-attack.kb.gz not found (run from the repository root)");
    fclose(f);
    sp_kb *kb = NULL;
    sp_error err;
    sp_kb_new(&kb);
    CHECK_EQ_INT(sp_kb_load_attack(kb, p, &err), SP_OK);
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    CHECK_EQ_INT(st.active[SP_KB_GROUP], 172);
    CHECK_EQ_INT(st.active[SP_KB_CAMPAIGN], 52);
    CHECK_EQ_INT(st.attributed_to, 25);
    size_t g;
    CHECK(sp_kb_lookup(kb, SP_KB_GROUP, "Diamond Sleet", &g));
    CHECK_STR(sp_kb_object_at(kb, SP_KB_GROUP, g)->id, "G0032");
    /* every active group's techniques and software, and the groups of each: the
     * work of one attribution pass, timed loosely (the goal is < 50 ms) */
    size_t sum = 0;
    for (size_t i = 0; i < sp_kb_count(kb, SP_KB_GROUP); i++) {
        const sp_kb_link *L;
        size_t n = sp_kb_links(kb, SP_KB_GROUP, i, SP_KB_USES, SP_KB_TECHNIQUE, &L);
        for (size_t k = 0; k < n; k++) sum += sp_kb_links(kb, SP_KB_TECHNIQUE, L[k].target, SP_KB_USED_BY, SP_KB_GROUP, NULL);
        sum += sp_kb_links(kb, SP_KB_GROUP, i, SP_KB_USES, SP_KB_SOFTWARE, NULL);
    }
    CHECK(sum > 4362);
    sp_kb_free(kb);
}
