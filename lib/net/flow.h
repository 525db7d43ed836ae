/* flow.h - a worker's own flow table: 4-tuple -> connection, on rte_hash, single-threaded. */
#ifndef TCPE_FLOW_H
#define TCPE_FLOW_H

#include <stdint.h>

#include <rte_hash.h>

#include "tcb.h"

/** Largest burst flow_lookup_bulk() takes in one call. */
#define FLOW_BULK_MAX RTE_HASH_LOOKUP_BULK_MAX

/**
 * Create a flow table for @p entries connections on NUMA @p socket, hashing with @p seed (pass a
 * random one: with a known seed a peer can choose tuples that land in one bucket). Only the
 * owning worker may use it afterwards (no locks: rte_hash without multi-writer flags).
 * @return the table, or NULL with rte_errno set.
 */
struct rte_hash *flow_create(const char *name, uint32_t entries, uint32_t seed, int socket);

/** Look up @p n (<= FLOW_BULK_MAX) keys at once; out[i] is the record or NULL. */
void flow_lookup_bulk(struct rte_hash *h, const struct tcp_tuple **keys, unsigned int n,
		      void **out);

/** One lookup: the record, or NULL. */
void *flow_lookup(struct rte_hash *h, const struct tcp_tuple *key);

/** Insert @p key -> @p data. @return 0, or -ENOSPC when the table is full. */
int flow_add(struct rte_hash *h, const struct tcp_tuple *key, void *data);

/** Remove @p key (no-op if absent). */
void flow_del(struct rte_hash *h, const struct tcp_tuple *key);

#endif
