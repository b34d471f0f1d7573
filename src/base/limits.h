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
#ifndef SP_MAX_CHUNKS
#define SP_MAX_CHUNKS 1048576u          /* 64 GiB of chunks in one file */
#endif

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

#endif
