/* timer.c - hashed timing wheel and fixed-timeout FIFOs over 32-bit link ids; time is passed in, nothing is read here. */
#include "timer.h"

#include <errno.h>
#include <stddef.h>

void
tmr_space_init(struct tmr_space *sp, struct tmr_link *first, size_t stride)
{
	uint32_t odd, inv;

	sp->base = (char *)first;
	sp->stride = (uint32_t)stride;
	sp->tz = (uint32_t)__builtin_ctz(sp->stride);
	odd = sp->stride >> sp->tz;
	/* Newton's iteration for the inverse modulo 2^32: each step doubles the correct low bits,
	 * starting from odd itself (right in the low 3). */
	inv = odd;
	for (int i = 0; i < 4; i++)
		inv *= 2u - odd * inv;
	sp->inv = inv;
}

/* The id of element link @p l. */
static inline uint32_t
id_of(const struct tmr_space *sp, const struct tmr_link *l)
{
	uint32_t q = (uint32_t)((size_t)((const char *)l - sp->base) >> sp->tz);

	return q * sp->inv + 1;
}

/* The link named @p id: one of @p heads, or an element of @p sp. */
static inline struct tmr_link *
at(const struct tmr_space *sp, struct tmr_link *heads, uint32_t id)
{
	if (id & TMR_HEAD)
		return &heads[id & ~TMR_HEAD];
	return (struct tmr_link *)(sp->base + (size_t)(id - 1) * sp->stride);
}

static inline void
list_init(struct tmr_link *h, uint32_t hid)
{
	h->next = h->prev = hid;
}

static inline void
list_add_tail(const struct tmr_space *sp, struct tmr_link *heads, uint32_t hid,
	      struct tmr_link *l)
{
	struct tmr_link *h = at(sp, heads, hid);
	uint32_t id = id_of(sp, l);

	l->prev = h->prev;
	l->next = hid;
	at(sp, heads, h->prev)->next = id;
	h->prev = id;
}

static inline void
list_del(const struct tmr_space *sp, struct tmr_link *heads, struct tmr_link *l)
{
	at(sp, heads, l->prev)->next = l->next;
	at(sp, heads, l->next)->prev = l->prev;
	l->next = l->prev = 0;
}

/* a at or before b, modulo 2^32 */
static inline bool
due_by(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

int
tmr_wheel_init(struct tmr_wheel *w, struct tmr_link *slots, uint32_t nslots, uint32_t tick_shift,
	       uint64_t now_us, const struct tmr_space *sp)
{
	if (nslots == 0 || (nslots & (nslots - 1)) != 0 || nslots > TMR_HEAD)
		return -EINVAL;
	w->slots = slots;
	w->sp = *sp;
	w->mask = nslots - 1;
	w->shift = tick_shift;
	w->next_tick = now_us >> tick_shift;
	w->armed = 0;
	for (uint32_t i = 0; i < nslots; i++)
		list_init(&slots[i], TMR_HEAD | i);
	return 0;
}

void
tmr_wheel_arm(struct tmr_wheel *w, struct tmr_link *l, uint64_t expire_us)
{
	uint64_t tick = tmr_wheel_tick(w, expire_us);

	if (tmr_armed(l)) {
		/* Later than it was (an RTO pushed back by each ACK: the common case): only the
		 * time changes; the link stays in its slot, and when the cursor passes that slot
		 * it is filed where its time is now (tmr_wheel_expire()). */
		if (due_by(l->expire, (uint32_t)tick)) {
			l->expire = (uint32_t)tick;
			return;
		}
		list_del(&w->sp, w->slots, l);
	} else {
		w->armed++;
	}
	l->expire = (uint32_t)tick;
	list_add_tail(&w->sp, w->slots, TMR_HEAD | (uint32_t)(tick & w->mask), l);
}

void
tmr_wheel_cancel(struct tmr_wheel *w, struct tmr_link *l)
{
	if (!tmr_armed(l))
		return;
	list_del(&w->sp, w->slots, l);
	w->armed--;
}

uint64_t
tmr_wheel_due_us(const struct tmr_wheel *w, const struct tmr_link *l)
{
	/* an armed link's tick is within 2^30 of the cursor (behind it only once overdue) */
	uint64_t tick = w->next_tick + (uint64_t)(int64_t)(int32_t)(l->expire -
								      (uint32_t)w->next_tick);

	return tick << w->shift;
}

unsigned int
tmr_wheel_expire(struct tmr_wheel *w, uint64_t now_us, struct tmr_link **out, unsigned int max)
{
	uint64_t now_tick = now_us >> w->shift;
	uint64_t visited = 0;
	unsigned int n = 0;

	/*
	 * Visit slots from the cursor up to now. Each slot also holds timers of later rotations,
	 * which stay. After a stall longer than a rotation, one pass over every slot suffices,
	 * because the test is expire <= now_tick rather than == slot tick.
	 */
	while (w->next_tick <= now_tick) {
		uint32_t hid = TMR_HEAD | (uint32_t)(w->next_tick & w->mask);
		uint32_t id = w->slots[hid & ~TMR_HEAD].next;

		while (id != hid) {
			struct tmr_link *l = at(&w->sp, w->slots, id);

			id = l->next;
			if (due_by(l->expire, (uint32_t)now_tick)) {
				if (n == max)
					return n;	/* resume at this slot next time */
				list_del(&w->sp, w->slots, l);
				w->armed--;
				out[n++] = l;
			} else if (TMR_HEAD + (l->expire & w->mask) != hid) {
				/* re-armed later in place: filed under its time now */
				list_del(&w->sp, w->slots, l);
				list_add_tail(&w->sp, w->slots, TMR_HEAD + (l->expire & w->mask), l);
			}
		}
		if (w->armed == 0 || ++visited > w->mask) {
			w->next_tick = now_tick + 1;
			break;
		}
		w->next_tick++;
	}
	return n;
}

int
tmr_fifo_init(struct tmr_fifo *f, uint64_t timeout_us, const struct tmr_space *sp)
{
	if (timeout_us >= TMR_AHEAD_MAX)
		return -EINVAL;
	list_init(&f->head, TMR_HEAD);
	f->sp = *sp;
	f->timeout_us = timeout_us;
	f->count = 0;
	return 0;
}

void
tmr_fifo_push(struct tmr_fifo *f, struct tmr_link *l, uint64_t now_us)
{
	if (tmr_armed(l))
		list_del(&f->sp, &f->head, l);
	else
		f->count++;
	l->expire = (uint32_t)(now_us + f->timeout_us);
	list_add_tail(&f->sp, &f->head, TMR_HEAD, l);
}

void
tmr_fifo_cancel(struct tmr_fifo *f, struct tmr_link *l)
{
	if (!tmr_armed(l))
		return;
	list_del(&f->sp, &f->head, l);
	f->count--;
}

unsigned int
tmr_fifo_expire(struct tmr_fifo *f, uint64_t now_us, struct tmr_link **out, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && f->head.next != TMR_HEAD) {
		struct tmr_link *l = at(&f->sp, &f->head, f->head.next);

		if (!due_by(l->expire, (uint32_t)now_us))
			break;
		list_del(&f->sp, &f->head, l);
		f->count--;
		out[n++] = l;
	}
	return n;
}
