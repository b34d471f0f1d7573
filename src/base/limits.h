/*
 * limits.h — every bound libspoor enforces on untrusted input, in one place.
 * Each may be overridden at build time (-DSP_MAX_...=N).
 */
#ifndef SP_LIMITS_H
#define SP_LIMITS_H

#ifndef SP_EVTX_CHUNK_SIZE
#define SP_EVTX_CHUNK_SIZE 65536u       /* fixed by the format */
#endif
#ifndef SP_EVTX_HEADER_SIZE
#define SP_EVTX_HEADER_SIZE 4096u       /* fixed by the format */
#endif
#ifndef SP_MAX_BINXML_DEPTH
#define SP_MAX_BINXML_DEPTH 48          /* nesting of elements + nested BinXML values */
#endif
#ifndef SP_MAX_TEMPLATE_NEST
#define SP_MAX_TEMPLATE_NEST 8          /* template instance inside a substituted BinXML value */
#endif
#ifndef SP_MAX_NODES_PER_RECORD
#define SP_MAX_NODES_PER_RECORD 65536   /* tree nodes one record may produce */
#endif
#ifndef SP_MAX_SUBST
#define SP_MAX_SUBST 4096               /* substitution values in one template instance */
#endif
#ifndef SP_MAX_TEMPLATES_PER_CHUNK
#define SP_MAX_TEMPLATES_PER_CHUNK 4096
#endif
#ifndef SP_MAX_FIELDS_PER_RECORD
#define SP_MAX_FIELDS_PER_RECORD 1024   /* named values indexed per record */
#endif
#ifndef SP_MAX_THREADS
#define SP_MAX_THREADS 256
#endif
#ifndef SP_EVTX_PENDING
#define SP_EVTX_PENDING 128u            /* decoded chunks waiting for their turn, all workers */
#endif
#ifndef SP_EVTX_WORKER_SLOTS
#define SP_EVTX_WORKER_SLOTS 64u        /* ... and per worker (at least 4 each) */
#endif
#ifndef SP_EVTX_SLOT_OUT
#define SP_EVTX_SLOT_OUT (128u << 10)   /* a chunk's output before it moves to the heap */
#endif
#ifndef SP_EVTX_PENDING_BYTES
#define SP_EVTX_PENDING_BYTES (32u << 20) /* output of waiting chunks, all workers (a worker
                                           stops decoding ahead past its share) */
#endif
#ifndef SP_EVTX_POOL
#define SP_EVTX_POOL 8u                 /* workers' memory kept between scans */
#endif
#ifndef SP_EVTX_SLOT_KEEP
#define SP_EVTX_SLOT_KEEP (1u << 20)    /* a slot keeps a heap buffer up to this size */
#endif
#ifndef SP_MAX_CHUNKS
#define SP_MAX_CHUNKS 1048576u          /* 64 GiB of chunks in one file */
#endif

/* ---- JSON event lines (src/json) ---- */
#ifndef SP_MAX_JSON_DEPTH
#define SP_MAX_JSON_DEPTH 64            /* nesting of objects/arrays in one event */
#endif
#ifndef SP_MAX_JSON_LEAVES
#define SP_MAX_JSON_LEAVES 65536        /* scalars in one event */
#endif
#ifndef SP_MAX_JSON_PATH
#define SP_MAX_JSON_PATH 4096           /* bytes of a dotted key path */
#endif
#ifndef SP_MAX_LINE
#define SP_MAX_LINE (64u << 20)         /* bytes of one JSON line */
#endif
/* ---- Sigma rules (src/sigma) ---- */
#ifndef SP_SIGMA_MAX_FILE
#define SP_SIGMA_MAX_FILE (4u << 20)    /* bytes of one rule / config YAML file */
#endif
#ifndef SP_SIGMA_MAX_YAML_DEPTH
#define SP_SIGMA_MAX_YAML_DEPTH 32      /* nesting of YAML collections */
#endif
#ifndef SP_SIGMA_MAX_YAML_NODES
#define SP_SIGMA_MAX_YAML_NODES 200000  /* YAML nodes in one file */
#endif
#ifndef SP_SIGMA_MAX_DOCS
#define SP_SIGMA_MAX_DOCS 1024          /* YAML documents in one file */
#endif
#ifndef SP_SIGMA_MAX_DIR_DEPTH
#define SP_SIGMA_MAX_DIR_DEPTH 32       /* folder recursion when loading rules */
#endif
#ifndef SP_SIGMA_MAX_RULES
#define SP_SIGMA_MAX_RULES 1000000      /* rules in one ruleset */
#endif
#ifndef SP_SIGMA_MAX_COND_LEN
#define SP_SIGMA_MAX_COND_LEN 8192      /* characters of one condition */
#endif
#ifndef SP_SIGMA_MAX_COND_DEPTH
#define SP_SIGMA_MAX_COND_DEPTH 64      /* nesting of a condition expression */
#endif
#ifndef SP_SIGMA_MAX_RULE_VALUES
#define SP_SIGMA_MAX_RULE_VALUES 100000 /* compiled values (after expansion) per rule */
#endif
#ifndef SP_SIGMA_MAX_EXPAND
#define SP_SIGMA_MAX_EXPAND 4096        /* alternatives one value may expand into */
#endif
#ifndef SP_SIGMA_MAX_VALUE_LEN
#define SP_SIGMA_MAX_VALUE_LEN 65536    /* bytes of one rule value */
#endif
#ifndef SP_SIGMA_MAX_FIELD_VALUES
#define SP_SIGMA_MAX_FIELD_VALUES 64    /* values of one field considered per event */
#endif
#ifndef SP_SIGMA_MAX_NAME_HASHED
#define SP_SIGMA_MAX_NAME_HASHED 256    /* bytes of a field name hashed (longer: the prefix) */
#endif
#ifndef SP_SIGMA_MAX_ROUTES
#define SP_SIGMA_MAX_ROUTES 1024        /* routes (sets of candidate lists) a scanner keeps prefilters for */
#endif
#ifndef SP_SIGMA_MAX_EVENT_FIELDS
#define SP_SIGMA_MAX_EVENT_FIELDS 2048  /* named values of one event considered */
#endif
#ifndef SP_SIGMA_MAX_GLOB_STEPS
#define SP_SIGMA_MAX_GLOB_STEPS 1000000 /* backtracking steps of one wildcard match */
#endif
#ifndef SP_SIGMA_RE_MATCH_LIMIT
#define SP_SIGMA_RE_MATCH_LIMIT 1000000 /* PCRE2 match limit per regex evaluation */
#endif
#ifndef SP_SIGMA_RE_DEPTH_LIMIT
#define SP_SIGMA_RE_DEPTH_LIMIT 10000   /* PCRE2 backtracking depth limit */
#endif
#ifndef SP_SIGMA_MAX_CORR_DEPTH
#define SP_SIGMA_MAX_CORR_DEPTH 8       /* chained correlations (correlation of correlation) */
#endif
#ifndef SP_SIGMA_MAX_CORR_GROUPS
#define SP_SIGMA_MAX_CORR_GROUPS 100000 /* live group-by keys per correlation */
#endif
#ifndef SP_SIGMA_MAX_CORR_WINDOW
#define SP_SIGMA_MAX_CORR_WINDOW 100000 /* events kept in one group's sliding window */
#endif
#ifndef SP_SIGMA_MAX_GROUP_VALUE
#define SP_SIGMA_MAX_GROUP_VALUE 1024   /* bytes of a group-by / counted value kept */
#endif

/* ---- Knowledge base: ATT&CK and actor profiles (src/intel) ---- */
#ifndef SP_KB_MAX_FILE
#define SP_KB_MAX_FILE (512u << 20)     /* bytes of an ATT&CK input after decompression */
#endif
#ifndef SP_KB_MAX_OBJECTS
#define SP_KB_MAX_OBJECTS 1000000       /* groups + software + techniques + tactics + campaigns */
#endif
#ifndef SP_KB_MAX_ALIASES
#define SP_KB_MAX_ALIASES 256           /* aliases of one object */
#endif
#ifndef SP_KB_MAX_STR
#define SP_KB_MAX_STR 4096              /* bytes of one id, name, alias, url, claim value */
#endif
#ifndef SP_KB_MAX_RELS
#define SP_KB_MAX_RELS 4000000          /* relationships kept */
#endif
#ifndef SP_KB_MAX_REL_REPORTS
#define SP_KB_MAX_REL_REPORTS 256       /* reports one relationship cites (more are dropped) */
#endif
#ifndef SP_KB_MAX_REPORTS
#define SP_KB_MAX_REPORTS 1000000       /* distinct reports */
#endif
#ifndef SP_KB_MAX_PROFILE_FILE
#define SP_KB_MAX_PROFILE_FILE (1u << 20) /* bytes of one profile YAML file */
#endif
#ifndef SP_KB_MAX_PROFILES
#define SP_KB_MAX_PROFILES 100000       /* profiles in one knowledge base */
#endif
#ifndef SP_KB_MAX_CLAIMS
#define SP_KB_MAX_CLAIMS 4096           /* claims of one profile */
#endif
#ifndef SP_KB_MAX_DIR_DEPTH
#define SP_KB_MAX_DIR_DEPTH 8           /* folder recursion when loading profiles */
#endif

/* ---- Intelligence: IOCs and geo (src/intel, ioc_* / stix_pattern / geo) ---- */
#ifndef SP_INTEL_MAX_FILE
#define SP_INTEL_MAX_FILE (512u << 20)  /* bytes of one IOC file (STIX, MISP, CSV) */
#endif
#ifndef SP_INTEL_MAX_DIR_DEPTH
#define SP_INTEL_MAX_DIR_DEPTH 32       /* folder recursion when loading IOCs */
#endif
#ifndef SP_INTEL_MAX_IOCS
#define SP_INTEL_MAX_IOCS 50000000u     /* indicator values in one store */
#endif
#ifndef SP_INTEL_MAX_VALUE
#define SP_INTEL_MAX_VALUE 4096         /* bytes of one indicator value / key */
#endif
#ifndef SP_INTEL_MAX_ISSUES
#define SP_INTEL_MAX_ISSUES 100000      /* issues kept with their reasons (all are counted) */
#endif
#ifndef SP_INTEL_MAX_LINKS
#define SP_INTEL_MAX_LINKS 64           /* links (actors, malware, ...) of one indicator */
#endif
#ifndef SP_INTEL_MAX_LABELS
#define SP_INTEL_MAX_LABELS 64          /* labels of one indicator */
#endif
#ifndef SP_INTEL_MAX_GLOB_STEPS
#define SP_INTEL_MAX_GLOB_STEPS 100000  /* backtracking steps of one glob match */
#endif
#ifndef SP_INTEL_MAX_TOKENS
#define SP_INTEL_MAX_TOKENS 512         /* tokens of one command line examined */
#endif
#ifndef SP_INTEL_MAX_OBS_VALUES
#define SP_INTEL_MAX_OBS_VALUES 256     /* (path, value) pairs of one event / observation */
#endif
#ifndef SP_STIX_MAX_PATTERN
#define SP_STIX_MAX_PATTERN 65536       /* bytes of one STIX pattern */
#endif
#ifndef SP_STIX_MAX_DEPTH
#define SP_STIX_MAX_DEPTH 64            /* nesting of a STIX pattern */
#endif
#ifndef SP_STIX_MAX_NODES
#define SP_STIX_MAX_NODES 4096          /* nodes (tests, operators) of one pattern */
#endif
#ifndef SP_STIX_MAX_MATCHES
#define SP_STIX_MAX_MATCHES 1024        /* candidate matches kept per observation expression */
#endif
#ifndef SP_STIX_RE_MATCH_LIMIT
#define SP_STIX_RE_MATCH_LIMIT 1000000  /* PCRE2 match limit for MATCHES */
#endif
#ifndef SP_STIX_MAX_OBSERVED
#define SP_STIX_MAX_OBSERVED 1000000    /* observed-data objects kept per store */
#endif

/* ---- line logs: web, Zeek, Linux (src/logs) ---- */
#ifndef SP_LOG_MAX_LINE
#define SP_LOG_MAX_LINE (4u << 20)      /* bytes of one log line */
#endif
#ifndef SP_LOG_MAX_FIELDS
#define SP_LOG_MAX_FIELDS 2048          /* named values of one log event (and header columns) */
#endif
#ifndef SP_LOG_MAX_HEADER
#define SP_LOG_MAX_HEADER 65536         /* bytes of a Zeek #fields / IIS #Fields header line */
#endif

#endif
