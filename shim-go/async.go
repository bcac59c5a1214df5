package main

// Every run happens on a goroutine of its own; the calling (JavaScript)
// thread waits for it only up to the caller's budget. A run that ends in time
// is answered at once; one that overruns is handed off: the call returns
// SHIM_PENDING, and when the run ends its result is parked under the call id
// and one notifier goroutine tells the runtime through the completion
// callback. So no plugin, however it behaves, holds the event loop longer
// than the budget. One notifier because Deno's thread-safe callbacks block
// the calling thread until JavaScript has run them.

import (
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// parkedCall is a result waiting to be taken: a handed-off run (running
// until done), or an answer too large for the caller's buffer.
type parkedCall struct {
	done      bool
	abandoned bool
	status    int32
	frame     []byte
}

var (
	parkedMu sync.Mutex
	parked   = map[uint32]*parkedCall{}
)

var completions = make(chan uint32, 1024)

var notifierOnce sync.Once

func startNotifier() {
	notifierOnce.Do(func() {
		go func() {
			for id := range completions {
				fire(id)
			}
		}()
	})
}

const (
	spinFor  = 200 * time.Microsecond
	hardSpin = 20 * time.Microsecond
)

type runState struct {
	landed   atomic.Bool
	mu       sync.Mutex
	finished bool
	detached bool
	status   int32
	frame    []byte
}

// Hand-offs are made by spinning, not by waking threads: on this kind of
// machine waking a sleeping thread costs ~40 µs each way (a channel
// ping-pong between two threads measured 80 µs), while a thread that is
// already spinning picks work up in well under a microsecond. So a worker
// that finishes a run keeps spinning for a short while (spinFor) waiting
// for the next one (at most one worker spins at a time, so spinning never
// takes the processors other goroutines need), and the calling thread
// spins on the run's result for up to its budget.

const (
	workerSpinning = iota
	workerBusy
	workerAsleep
)

// worker is a goroutine that runs one run at a time. Workers are kept and
// reused; each finds its goroutine id once (a costly stack trace), which
// is how a log record is attributed to the run that wrote it.
type worker struct {
	gid     uint64
	state   atomic.Int32
	job     atomic.Pointer[func()]
	wake    chan struct{}
	current atomic.Pointer[callLogs]
}

var (
	workersMu   sync.Mutex
	workerList  atomic.Pointer[[]*worker]
	workersByID sync.Map // goroutine id -> *worker
	spinner     atomic.Bool
)

// dispatch runs job on the spinning worker, else on a sleeping one, else
// on a new one (a blocked plugin holds its worker; the others keep going).
func dispatch(logs *callLogs, job func()) {
	run := func(w *worker) {
		w.current.Store(logs)
		job()
		w.current.Store(nil)
	}
	var list []*worker
	if p := workerList.Load(); p != nil {
		list = *p
	}
	for _, w := range list {
		if w.state.CompareAndSwap(workerSpinning, workerBusy) {
			fn := func() { run(w) }
			w.job.Store(&fn)
			return
		}
	}
	for _, w := range list {
		if w.state.CompareAndSwap(workerAsleep, workerBusy) {
			fn := func() { run(w) }
			w.job.Store(&fn)
			w.wake <- struct{}{}
			return
		}
	}
	w := &worker{wake: make(chan struct{}, 1)}
	w.state.Store(workerBusy)
	fn := func() { run(w) }
	w.job.Store(&fn)
	workersMu.Lock()
	next := append(append([]*worker(nil), list...), w)
	workerList.Store(&next)
	workersMu.Unlock()
	go w.loop()
}

func (w *worker) loop() {
	w.gid = goid()
	workersByID.Store(w.gid, w)
	for {
		// Claimed (busy): the job is stored right after the claim.
		var fn *func()
		for fn = w.job.Swap(nil); fn == nil; fn = w.job.Swap(nil) {
			runtime.Gosched()
		}
		(*fn)()
		w.idle()
	}
}

// idle waits to be claimed: spinning for a while if no other worker
// spins, then asleep until a dispatcher wakes it.
func (w *worker) idle() {
	if spinner.CompareAndSwap(false, true) {
		w.state.Store(workerSpinning)
		deadline := time.Now().Add(spinFor)
		for w.state.Load() == workerSpinning && time.Now().Before(deadline) {
			yield()
		}
		claimed := !w.state.CompareAndSwap(workerSpinning, workerAsleep)
		spinner.Store(false)
		if claimed {
			return
		}
	} else {
		w.state.Store(workerAsleep)
	}
	<-w.wake
}

// runLogs is where a log record written on the current goroutine goes, if
// it is a worker in a run.
func runLogs() *callLogs {
	if w, ok := workersByID.Load(goid()); ok {
		return w.(*worker).current.Load()
	}
	return nil
}

// runWithBudget runs job on a worker and waits up to budget for it. It
// returns the result, or pending = true when the run was handed off under id.
// It refuses (ok = false) an id that already has a handed-off run.
func runWithBudget(id uint32, logs *callLogs, budget time.Duration, job func() (int32, []byte)) (status int32, frame []byte, pending, ok bool) {
	parkedMu.Lock()
	_, busy := parked[id]
	parkedMu.Unlock()
	if busy {
		return 0, nil, false, false
	}
	rs := &runState{}
	dispatch(logs, func() {
		st, fr := job()
		rs.mu.Lock()
		rs.finished, rs.status, rs.frame = true, st, fr
		detached := rs.detached
		rs.mu.Unlock()
		rs.landed.Store(true)
		if detached {
			parkedMu.Lock()
			pc := parked[id]
			if pc.abandoned {
				delete(parked, id)
				parkedMu.Unlock()
				releaseFrame(fr)
				return
			}
			pc.done, pc.status, pc.frame = true, st, fr
			parkedMu.Unlock()
			completions <- id
		}
	})
	// The caller spins on the result: blocking would hand its processor to
	// another thread and need a wake-up to get it back.
	deadline := time.Now().Add(budget)
	// Spin hard for a few µs (a hot worker answers in that time), then
	// yield the core between looks.
	hard := time.Now().Add(hardSpin)
	for !rs.landed.Load() && time.Now().Before(deadline) {
		if time.Now().After(hard) {
			yield()
		}
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.finished {
		return rs.status, rs.frame, false, true
	}
	rs.detached = true
	parkedMu.Lock()
	parked[id] = &parkedCall{}
	parkedMu.Unlock()
	return 0, nil, true, true
}

// yield gives the core to another runnable thread, if any, for a spin's
// next round: on a machine with more busy threads than cores (the gateway,
// its upstream, a load generator) a spinning thread must not hold a core
// the thread it waits for needs.
func yield() { syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
