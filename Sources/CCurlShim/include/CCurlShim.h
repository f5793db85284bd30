// A tiny run-time binding to libcurl's easy interface: no link-time dependency on libcurl.
//
// ccurl_load() dlopen()s the library by name and dlsym()s the few functions used; the wrappers
// below call them through the loaded table (curl_easy_setopt is variadic,
// which Swift cannot call). The numeric constants are copied from curl.h (7.x/8.x; their values
// are part of libcurl's stable ABI).
#ifndef CCURLSHIM_H
#define CCURLSHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The loaded library: an immutable table of function pointers, never freed.
typedef struct ccurl_library ccurl_library;

/// Loads `name` (e.g. "libcurl.so.4") with dlopen and resolves the functions used, then calls
/// curl_global_init(CURL_GLOBAL_DEFAULT) once for it. Returns NULL when the library or a
/// function is missing, or global init fails. Thread-safe; a library loaded once is returned
/// again on later calls with the same name.
const ccurl_library *ccurl_load(const char *name);

/// curl_version() of a loaded library.
const char *ccurl_version(const ccurl_library *lib);

void *ccurl_easy_init(const ccurl_library *lib);
void ccurl_easy_cleanup(const ccurl_library *lib, void *easy);
void ccurl_easy_reset(const ccurl_library *lib, void *easy);
int ccurl_easy_perform(const ccurl_library *lib, void *easy);
int ccurl_setopt_long(const ccurl_library *lib, void *easy, int option, long value);
int ccurl_setopt_pointer(const ccurl_library *lib, void *easy, int option, const void *value);

/// size_t write_callback(char *ptr, size_t size, size_t nmemb, void *userdata)
typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
/// int xferinfo_callback(void *clientp, curl_off_t dltotal, dlnow, ultotal, ulnow)
typedef int (*ccurl_xferinfo_callback)(void *clientp, long long dltotal, long long dlnow, long long ultotal,
                                       long long ulnow);

int ccurl_setopt_data_callback(const ccurl_library *lib, void *easy, int option, ccurl_data_callback callback);
int ccurl_setopt_xferinfo_callback(const ccurl_library *lib, void *easy, ccurl_xferinfo_callback callback);

/// struct curl_slist * (opaque).
void *ccurl_slist_append(const ccurl_library *lib, void *list, const char *string);
void ccurl_slist_free_all(const ccurl_library *lib, void *list);

// curl.h constants used by CurlTransport.
enum {
  CCURL_GLOBAL_DEFAULT = 3,

  CCURLOPT_WRITEDATA = 10001,
  CCURLOPT_URL = 10002,
  CCURLOPT_WRITEFUNCTION = 20011,
  CCURLOPT_HTTPHEADER = 10023,
  CCURLOPT_HEADERDATA = 10029,
  CCURLOPT_NOPROGRESS = 43,
  CCURLOPT_FOLLOWLOCATION = 52,
  CCURLOPT_XFERINFODATA = 10057,
  CCURLOPT_HEADERFUNCTION = 20079,
  CCURLOPT_HTTPGET = 80,
  CCURLOPT_NOSIGNAL = 99,
  CCURLOPT_ACCEPT_ENCODING = 10102,
  CCURLOPT_TIMEOUT_MS = 155,
  CCURLOPT_CONNECTTIMEOUT_MS = 156,
  CCURLOPT_PROTOCOLS = 181,
  CCURLOPT_XFERINFOFUNCTION = 20219,
  CCURLOPT_PROTOCOLS_STR = 10318,

  CCURLPROTO_HTTP = 1 << 0,
  CCURLPROTO_HTTPS = 1 << 1,

  CCURLE_OK = 0,
  CCURLE_UNSUPPORTED_PROTOCOL = 1,
  CCURLE_URL_MALFORMAT = 3,
  CCURLE_COULDNT_RESOLVE_PROXY = 5,
  CCURLE_COULDNT_RESOLVE_HOST = 6,
  CCURLE_COULDNT_CONNECT = 7,
  CCURLE_WEIRD_SERVER_REPLY = 8,
  CCURLE_HTTP2 = 16,
  CCURLE_PARTIAL_FILE = 18,
  CCURLE_WRITE_ERROR = 23,
  CCURLE_OUT_OF_MEMORY = 27,
  CCURLE_OPERATION_TIMEDOUT = 28,
  CCURLE_SSL_CONNECT_ERROR = 35,
  CCURLE_ABORTED_BY_CALLBACK = 42,
  CCURLE_GOT_NOTHING = 52,
  CCURLE_SEND_ERROR = 55,
  CCURLE_RECV_ERROR = 56,
  CCURLE_SSL_CERTPROBLEM = 58,
  CCURLE_SSL_CIPHER = 59,
  CCURLE_PEER_FAILED_VERIFICATION = 60,
  CCURLE_BAD_CONTENT_ENCODING = 61,
  CCURLE_SSL_CACERT_BADFILE = 77,
  CCURLE_SSL_SHUTDOWN_FAILED = 80,
  CCURLE_SSL_CRL_BADFILE = 82,
  CCURLE_SSL_ISSUER_ERROR = 83,
  CCURLE_SSL_PINNEDPUBKEYNOTMATCH = 90,
  CCURLE_SSL_INVALIDCERTSTATUS = 91,
  CCURLE_HTTP2_STREAM = 92,
  CCURLE_HTTP3 = 95,
  CCURLE_QUIC_CONNECT_ERROR = 96,
  CCURLE_PROXY = 97,
  CCURLE_SSL_CLIENTCERT = 98,
};

#ifdef __cplusplus
}
#endif

#endif
