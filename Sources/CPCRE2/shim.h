// PCRE2's public names are macros that paste the code-unit width onto each
// function name (pcre2_compile -> pcre2_compile_8), which Swift cannot import.
// This shim fixes the width at 8 bits and re-exports every function the Swift
// wrapper uses as a plain static inline function.
#ifndef LINKNORMALIZER_CPCRE2_SHIM_H
#define LINKNORMALIZER_CPCRE2_SHIM_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stddef.h>

typedef pcre2_code_8 lnp_code;
typedef pcre2_match_data_8 lnp_match_data;
typedef pcre2_match_context_8 lnp_match_context;

static const uint32_t LNP_UTF = PCRE2_UTF;
static const uint32_t LNP_UCP = PCRE2_UCP;
static const uint32_t LNP_CASELESS = PCRE2_CASELESS;
static const uint32_t LNP_ANCHORED = PCRE2_ANCHORED;
static const uint32_t LNP_DUPNAMES = PCRE2_DUPNAMES;
static const uint32_t LNP_NO_UTF_CHECK = PCRE2_NO_UTF_CHECK;
static const uint32_t LNP_JIT_COMPLETE = PCRE2_JIT_COMPLETE;
static const int LNP_ERROR_NOMATCH = PCRE2_ERROR_NOMATCH;
static const uint32_t LNP_INFO_NAMECOUNT = PCRE2_INFO_NAMECOUNT;
static const uint32_t LNP_INFO_NAMEENTRYSIZE = PCRE2_INFO_NAMEENTRYSIZE;
static const uint32_t LNP_INFO_NAMETABLE = PCRE2_INFO_NAMETABLE;
static const uint32_t LNP_INFO_CAPTURECOUNT = PCRE2_INFO_CAPTURECOUNT;
static const uint32_t LNP_INFO_JITSIZE = PCRE2_INFO_JITSIZE;

static inline lnp_code *lnp_compile(const uint8_t *pattern, size_t length, uint32_t options,
                                    int *errorcode, size_t *erroroffset) {
    return pcre2_compile(pattern, length, options, errorcode, erroroffset, NULL);
}
static inline void lnp_code_free(lnp_code *code) { pcre2_code_free(code); }
static inline int lnp_jit_compile(lnp_code *code, uint32_t options) {
    return pcre2_jit_compile(code, options);
}
static inline int lnp_pattern_info(const lnp_code *code, uint32_t what, void *where) {
    return pcre2_pattern_info(code, what, where);
}
static inline lnp_match_data *lnp_match_data_create(uint32_t pairs) {
    return pcre2_match_data_create(pairs, NULL);
}
static inline lnp_match_data *lnp_match_data_create_from_pattern(const lnp_code *code) {
    return pcre2_match_data_create_from_pattern(code, NULL);
}
static inline void lnp_match_data_free(lnp_match_data *data) { pcre2_match_data_free(data); }
static inline lnp_match_context *lnp_match_context_create(void) {
    return pcre2_match_context_create(NULL);
}
static inline void lnp_match_context_free(lnp_match_context *ctx) { pcre2_match_context_free(ctx); }
static inline int lnp_set_match_limit(lnp_match_context *ctx, uint32_t limit) {
    return pcre2_set_match_limit(ctx, limit);
}
static inline int lnp_set_depth_limit(lnp_match_context *ctx, uint32_t limit) {
    return pcre2_set_depth_limit(ctx, limit);
}
static inline int lnp_set_heap_limit(lnp_match_context *ctx, uint32_t limit) {
    return pcre2_set_heap_limit(ctx, limit);
}
static inline int lnp_match(const lnp_code *code, const uint8_t *subject, size_t length,
                            size_t start, uint32_t options, lnp_match_data *data,
                            lnp_match_context *ctx) {
    return pcre2_match(code, subject, length, start, options, data, ctx);
}
static inline int lnp_jit_match(const lnp_code *code, const uint8_t *subject, size_t length,
                                size_t start, uint32_t options, lnp_match_data *data,
                                lnp_match_context *ctx) {
    return pcre2_jit_match(code, subject, length, start, options, data, ctx);
}
static inline size_t *lnp_ovector(lnp_match_data *data) { return pcre2_get_ovector_pointer(data); }
static inline uint32_t lnp_ovector_count(lnp_match_data *data) { return pcre2_get_ovector_count(data); }
static inline int lnp_error_message(int code, uint8_t *buffer, size_t length) {
    return pcre2_get_error_message(code, buffer, length);
}
static inline int lnp_jit_available(void) {
    uint32_t jit = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &jit);
    return (int)jit;
}

#endif
