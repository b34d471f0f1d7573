/* test_logs_zeek.c — Zeek TSV headers, unset/empty fields, set separators,
 * generic logs, JSON lines. */
#include "test.h"
#include "logs_util.h"

TEST(logs_zeek_tsv)
{
    lt t;
    lt_init(&t, SP_LOG_ZEEK_TSV, "/data/zeek/dns.00:00:00-01:00:00.log");
    CHECK_EQ_INT(lt_parse(&t, "1660089617.25\tCx\t10.0.0.1"), -1);   /* before #fields */
    CHECK(strstr(t.err, "#fields") != NULL);
    CHECK_EQ_INT(lt_parse(&t, "#separator \\x09"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#set_separator\t,"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#empty_field\t(empty)"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#unset_field\t-"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#fields\tts\tuid\tid.orig_h\tid.resp_p\tquery\tanswers\tTTLs\ttags"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#types\ttime\tstring\taddr\tport\tstring\tvector[string]\tvector[interval]\tset[enum]"), 0);
    CHECK_EQ_INT(lt_parse(&t, "1660089617.250001\tCAbc\tfe80::1\t53\tx.example\ta.example,1.2.3.4\t60.0,30.0\t(empty)"), 1);
    CHECK_STR(t.ev.product, "zeek");
    CHECK_STR(t.ev.service, "dns");            /* from the file name: no #path */
    CHECK_EQ_INT(t.ev.time_ms, 1660089617250LL);
    CHECK_STR(lt_get(&t, "id.orig_h"), "fe80::1");
    CHECK_EQ_INT(lt_count(&t, "answers"), 2);
    CHECK_STR(lt_getk(&t, "answers", 1), "1.2.3.4");
    CHECK_STR(lt_get(&t, "tags"), "(null)");   /* empty set */
    /* unset: absent, like Zeek's JSON writer */
    CHECK_EQ_INT(lt_parse(&t, "1660089618.0\tCAbd\t10.0.0.1\t53\tnx.example\t-\t-\t-"), 1);
    CHECK_EQ_INT(lt_count(&t, "answers"), 0);
    CHECK_STR(lt_get(&t, "query"), "nx.example");
    /* wrong column counts, bad ts */
    CHECK_EQ_INT(lt_parse(&t, "1660089618.0\tCAbd\t10.0.0.1"), -1);
    CHECK(strstr(t.err, "columns") != NULL);
    CHECK_EQ_INT(lt_parse(&t, "1\t2\t3\t4\t5\t6\t7\t8\t9"), -1);
    CHECK_EQ_INT(lt_parse(&t, "yesterday\tCAbd\t10.0.0.1\t53\tq\t-\t-\t-"), -1);
    CHECK(strstr(t.err, "ts") != NULL);
    /* a 16-digit ts would overflow ms (fuzz_zeek finding): refused, not wrapped */
    CHECK_EQ_INT(lt_parse(&t, "9999999999999999.5\tCAbd\t10.0.0.1\t53\tq\t-\t-\t-"), -1);
    CHECK(strstr(t.err, "ts") != NULL);
    CHECK_EQ_INT(lt_parse(&t, "99999999999.0\tCAbd\t10.0.0.1\t53\tq\t-\t-\t-"), 1);
    /* #path wins; a new header block (other log, other separator values) */
    CHECK_EQ_INT(lt_parse(&t, "#close\t2022-08-11-00-00-00"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#separator |"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#set_separator|;"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#unset_field|NONE"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#empty_field|EMPTY"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#path|software"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#fields|ts|host|name|versions"), 0);
    CHECK_EQ_INT(lt_parse(&t, "#types|time|addr|string|set[string]"), 0);
    CHECK_EQ_INT(lt_parse(&t, "1660089619.5|10.0.0.2|EMPTY|1;2;3"), 1);
    CHECK_STR(t.ev.service, "software");
    CHECK_STR(lt_get(&t, "name"), "");
    CHECK_EQ_INT(lt_count(&t, "versions"), 3);
    CHECK_EQ_INT(lt_parse(&t, "1660089619.5|NONE|x|NONE"), 1);
    CHECK_EQ_INT(lt_count(&t, "host"), 0);
    lt_fini(&t);
}

TEST(logs_zeek_guess_path)
{
    lt t;
    lt_init(&t, SP_LOG_ZEEK_TSV, "capture.txt");
    CHECK_EQ_INT(lt_parse(&t, "#fields\tts\tuid\tid.orig_h\tmethod\thost\turi\tuser_agent"), 0);
    CHECK_EQ_INT(lt_parse(&t, "1660089617\tC1\t10.0.0.1\tPUT\t15.207.207.64\t/x\tMicrosoft-WebDAV-MiniRedir/10.0"), 1);
    CHECK_STR(t.ev.service, "http");
    CHECK_EQ_INT(t.ev.time_ms, 1660089617000LL);
    lt_fini(&t);
}

TEST(logs_zeek_json)
{
    lt t;
    lt_init(&t, SP_LOG_ZEEK_JSON, "zeek/ssl.json");
    CHECK_EQ_INT(lt_parse(&t, "{\"ts\":1660089617.250001,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\",\"id.resp_p\":443,\"server_name\":\"x.example\",\"established\":true,\"tags\":[],\"answers\":[\"a\",\"b\"]}"), 1);
    CHECK_STR(t.ev.service, "ssl");
    CHECK_EQ_INT(t.ev.time_ms, 1660089617250LL);
    CHECK_STR(lt_get(&t, "established"), "true");
    CHECK_STR(lt_get(&t, "tags"), "(null)");
    CHECK_EQ_INT(lt_count(&t, "answers"), 2);
    sp_value v;
    CHECK_EQ_INT(sp_logevent_field(&t.ev, "id.resp_p", 9, &v, 1), 1);
    CHECK(v.is_int && v.i == 443);
    /* nested id object, ISO ts, _path */
    CHECK_EQ_INT(lt_parse(&t, "{\"_path\":\"dns\",\"ts\":\"2022-08-10T00:00:17.250000Z\",\"id\":{\"orig_h\":\"10.0.0.1\"},\"query\":\"q.example\"}"), 1);
    CHECK_STR(t.ev.service, "dns");
    CHECK_STR(lt_get(&t, "id.orig_h"), "10.0.0.1");
    CHECK_EQ_INT(t.ev.time_ms, 1660089617250LL);
    CHECK_EQ_INT(lt_parse(&t, "{\"ts\":1.66008961725e9,\"uid\":\"C\"}"), 1);
    CHECK_EQ_INT(t.ev.time_ms, 1660089617250LL);
    CHECK_EQ_INT(lt_parse(&t, "{\"ts\":1660089617,"), -1);
    CHECK_EQ_INT(lt_parse(&t, "[1,2]"), -1);
    CHECK_EQ_INT(lt_parse(&t, "{\"ts\":\"never\"}"), -1);
    lt_fini(&t);
}
