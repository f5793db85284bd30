#include "CCurlShim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef int (*global_init_fn)(long flags);
typedef const char *(*version_fn)(void);
typedef void *(*easy_init_fn)(void);
typedef void (*easy_cleanup_fn)(void *);
typedef void (*easy_reset_fn)(void *);
typedef int (*easy_perform_fn)(void *);
typedef int (*easy_setopt_fn)(void *, int, ...);
typedef void *(*slist_append_fn)(void *, const char *);
typedef void (*slist_free_all_fn)(void *);

struct ccurl_library {
  char *name;
  void *handle;
  version_fn version;
  easy_init_fn easy_init;
  easy_cleanup_fn easy_cleanup;
  easy_reset_fn easy_reset;
  easy_perform_fn easy_perform;
  easy_setopt_fn easy_setopt;
  slist_append_fn slist_append;
  slist_free_all_fn slist_free_all;
  struct ccurl_library *next;
};

static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ccurl_library *loaded = NULL;

static struct ccurl_library *load_locked(const char *name) {
  for (struct ccurl_library *lib = loaded; lib != NULL; lib = lib->next) {
    if (strcmp(lib->name, name) == 0) return lib;
  }
  void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) return NULL;
  struct ccurl_library lib;
  memset(&lib, 0, sizeof lib);
  lib.handle = handle;
  global_init_fn global_init = (global_init_fn)dlsym(handle, "curl_global_init");
  lib.version = (version_fn)dlsym(handle, "curl_version");
  lib.easy_init = (easy_init_fn)dlsym(handle, "curl_easy_init");
  lib.easy_cleanup = (easy_cleanup_fn)dlsym(handle, "curl_easy_cleanup");
  lib.easy_reset = (easy_reset_fn)dlsym(handle, "curl_easy_reset");
  lib.easy_perform = (easy_perform_fn)dlsym(handle, "curl_easy_perform");
  lib.easy_setopt = (easy_setopt_fn)dlsym(handle, "curl_easy_setopt");
  lib.slist_append = (slist_append_fn)dlsym(handle, "curl_slist_append");
  lib.slist_free_all = (slist_free_all_fn)dlsym(handle, "curl_slist_free_all");
  if (global_init == NULL || lib.version == NULL || lib.easy_init == NULL || lib.easy_cleanup == NULL ||
      lib.easy_reset == NULL || lib.easy_perform == NULL || lib.easy_setopt == NULL ||
      lib.slist_append == NULL || lib.slist_free_all == NULL || global_init(CCURL_GLOBAL_DEFAULT) != CCURLE_OK) {
    dlclose(handle);
    return NULL;
  }
  struct ccurl_library *stored = malloc(sizeof lib);
  char *copy = strdup(name);
  if (stored == NULL || copy == NULL) {
    free(stored);
    free(copy);
    return NULL;  // the library stays loaded (global init done); harmless
  }
  *stored = lib;
  stored->name = copy;
  stored->next = loaded;
  loaded = stored;
  return stored;
}

const ccurl_library *ccurl_load(const char *name) {
  pthread_mutex_lock(&loaded_lock);
  struct ccurl_library *lib = load_locked(name);
  pthread_mutex_unlock(&loaded_lock);
  return lib;
}

const char *ccurl_version(const ccurl_library *lib) { return lib->version(); }

void *ccurl_easy_init(const ccurl_library *lib) { return lib->easy_init(); }

void ccurl_easy_cleanup(const ccurl_library *lib, void *easy) { lib->easy_cleanup(easy); }

void ccurl_easy_reset(const ccurl_library *lib, void *easy) { lib->easy_reset(easy); }

int ccurl_easy_perform(const ccurl_library *lib, void *easy) { return lib->easy_perform(easy); }

int ccurl_setopt_long(const ccurl_library *lib, void *easy, int option, long value) {
  return lib->easy_setopt(easy, option, value);
}

int ccurl_setopt_pointer(const ccurl_library *lib, void *easy, int option, const void *value) {
  return lib->easy_setopt(easy, option, value);
}

int ccurl_setopt_data_callback(const ccurl_library *lib, void *easy, int option, ccurl_data_callback callback) {
  return lib->easy_setopt(easy, option, callback);
}

int ccurl_setopt_xferinfo_callback(const ccurl_library *lib, void *easy, ccurl_xferinfo_callback callback) {
  return lib->easy_setopt(easy, CCURLOPT_XFERINFOFUNCTION, callback);
}

void *ccurl_slist_append(const ccurl_library *lib, void *list, const char *string) {
  return lib->slist_append(list, string);
}

void ccurl_slist_free_all(const ccurl_library *lib, void *list) { lib->slist_free_all(list); }
