// SQLite's SQLITE_TRANSIENT (and SQLITE_STATIC) are macros that cast an integer to a function
// pointer, which Swift cannot import. This shim re-exports them as static inline functions.
#ifndef LINKNORMALIZER_CSQLITE_SHIM_H
#define LINKNORMALIZER_CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT: SQLite copies bound text/blob before the bind call returns.
static inline sqlite3_destructor_type lns_sqlite_transient(void) {
    return (sqlite3_destructor_type)-1;
}

/// SQLITE_STATIC: the caller guarantees the bound buffer outlives the statement's use of it.
static inline sqlite3_destructor_type lns_sqlite_static(void) {
    return (sqlite3_destructor_type)0;
}

#endif
