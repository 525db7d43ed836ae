/* flow.h - a worker's own flow table: 4-tuple -> connection record or TIME_WAIT entry, single-threaded. */
#ifndef TCPE_FLOW_H
#define TCPE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "tcb.h"

/** Largest burst flow_lookup_bulk() takes in one call. */
#define FLOW_BULK_MAX 64

/**
 * One array of objects the table points into, each holding its 4-tuple: @p n objects of
 * @p stride bytes from @p base, the tuple @p key_off bytes into each. The table keeps a 31-bit
 * index per entry, not a key: comparing a candidate reads the object's own tuple.
 */
struct flow_space {
	const void *base;
	size_t stride;
	size_t key_off;
	uint32_t n;
};

struct flow_table;

/**
 * Create a table for @p entries keys on NUMA @p socket, pointing into @p spaces[0] (values
 * passed as plain pointers) and @p spaces[1] (values passed with bit 0 set). Buckets of eight
 * 16-bit signatures and 32-bit indexes (64 bytes, one cache line), two per key (cuckoo), keyed
 * by a random secret mixed with @p seed, so a peer cannot choose tuples that share buckets.
 * Only the owning worker may use it afterwards. @return the table, or NULL with rte_errno set.
 */
struct flow_table *flow_create(const char *name, uint32_t entries, uint32_t seed, int socket,
			       const struct flow_space spaces[2]);

/** Free @p t (NULL is fine). */
void flow_free(struct flow_table *t);

/** Forget every key. */
void flow_reset(struct flow_table *t);

/** Bytes @p t takes (buckets and header). */
size_t flow_memory(const struct flow_table *t);

/** Look up @p n (<= FLOW_BULK_MAX) keys at once, both buckets of each prefetched first; out[i]
 * is the object (bit 0 set for spaces[1]) or NULL. */
void flow_lookup_bulk(struct flow_table *t, const struct tcp_tuple **keys, unsigned int n,
		      void **out);

/** One lookup: the object (bit 0 set for spaces[1]), or NULL. */
void *flow_lookup(struct flow_table *t, const struct tcp_tuple *key);

/**
 * Point @p key at @p obj (bit 0 set: an object of spaces[1]), adding the key or, when it is
 * there, replacing its value (the object it pointed at must still hold the tuple).
 * @return 0, or -ENOSPC when neither bucket nor a short chain of moves has room.
 */
int flow_add(struct flow_table *t, const struct tcp_tuple *key, void *obj);

/** Remove @p key (no-op if absent); the object it points at must still hold the tuple. */
void flow_del(struct flow_table *t, const struct tcp_tuple *key);

/** Start fetching the two buckets of @p key, ahead of a flow_del() or flow_add() of it. */
void flow_prefetch(const struct flow_table *t, const struct tcp_tuple *key);

#endif
