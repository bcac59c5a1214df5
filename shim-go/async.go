package main

// Every run happens on a worker goroutine; the calling (JavaScript) thread
// never runs plugin code and never waits for it. The call returns
// SHIM_PENDING at once; when the run ends its result is parked under the
// call id and the id is queued as completed, which the runtime learns
// through the completion callback. So no plugin, however it behaves, holds
// the event loop.

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
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
	// abandonedRunning counts runs the gateway gave up on (timed out, client
	// gone) that have not ended. Each holds a worker goroutine and, when its
	// plugin is blocked in a system call, an OS thread; Go aborts the
	// process at 10000 threads. Past maxAbandonedRunning new runs are refused
	// (SHIM_E_BUSY) instead, and taken again as stuck runs end.
	abandonedRunning int
)

const maxAbandonedRunning = 2000

// Completions: ids of handed-off runs that ended, whose results the gateway
// takes in batches (shim_completions_take). The worker that finds the queue empty
// fires the callback; later ones only queue until the gateway has taken
// the queue empty. Deno's thread-safe callbacks block the calling thread
// until JavaScript has run them (~20 µs here): one call per run would
// serialise every completion behind the event loop.
var (
	completedMu sync.Mutex
	completed   []uint32
	signaled    bool
)

// complete queues a finished run's id and wakes the gateway if it is not
// already due to look.
func complete(id uint32) {
	completedMu.Lock()
	completed = append(completed, id)
	wake := !signaled
	signaled = true
	completedMu.Unlock()
	if wake {
		fire(0)
	}
}

// takeResults moves ended runs from the queue into dst as records
// (u32 call id, i32 status, u32 length, frame) for as many as fit, in order,
// and reports the bytes written and whether results are left. A result too
// large for the whole of dst is recorded as statusBuffer with the length it
// needs and stays parked for shim_result_take. When it empties the queue,
// the next completion fires the callback again.
func takeResults(dst []byte) (n int, more bool) {
	completedMu.Lock()
	defer completedMu.Unlock()
	taken := 0
	for ; taken < len(completed); taken++ {
		id := completed[taken]
		parkedMu.Lock()
		pc, ok := parked[id]
		if !ok || !pc.done { // abandoned since: its result is gone
			parkedMu.Unlock()
			continue
		}
		fits := 12+len(pc.frame) <= len(dst)-n
		if !fits && (n > 0 || len(dst) < 12) {
			parkedMu.Unlock()
			break // next time, with the buffer to itself
		}
		if fits {
			delete(parked, id)
		}
		parkedMu.Unlock()
		binary.LittleEndian.PutUint32(dst[n:], id)
		if !fits { // larger than the whole buffer: stays parked
			binary.LittleEndian.PutUint32(dst[n+4:], uint32(statusBuffer))
			binary.LittleEndian.PutUint32(dst[n+8:], uint32(len(pc.frame)))
			n += 12
			continue
		}
		binary.LittleEndian.PutUint32(dst[n+4:], uint32(pc.status))
		binary.LittleEndian.PutUint32(dst[n+8:], uint32(len(pc.frame)))
		n += 12 + copy(dst[n+12:], pc.frame)
		releaseFrame(pc.frame)
	}
	completed = completed[:copy(completed, completed[taken:])]
	if len(completed) == 0 {
		signaled = false
	}
	return n, len(completed) > 0
}

// Hand-offs never make the calling thread wait: on this kind of machine
// waking a sleeping thread costs 40-150 µs (two threads passing a message
// back and forth over a channel measured 80 µs per round trip), and every
// way of waiting for a worker measured here (blocking, spinning, spinning
// with yields, on the caller's side, the worker's side or both) cost more
// throughput than letting the caller serve other requests while the run
// completes through the callback, whose calls are batched.

// worker is a goroutine that runs one run at a time. Workers are kept and
// reused; each finds its goroutine id once (a costly stack trace), which
// is how a log record is attributed to the run that wrote it.
type worker struct {
	gid     uint64
	jobs    chan func()
	current atomic.Pointer[callLogs]
	slot    *callSlot // where its plugin calls are marked (callslots.go); nil: not recorded
}

var (
	idleWorkers = make(chan *worker, 4096)
	workersByID sync.Map // goroutine id -> *worker
)

// dispatch runs job on an idle worker, or a new one when all are busy (a
// blocked plugin holds its worker; the others keep going). The job marks
// its plugin calls in the worker's call slot.
func dispatch(logs *callLogs, job func(*callSlot)) {
	run := func(w *worker) {
		w.current.Store(logs)
		job(w.slot)
		w.current.Store(nil)
	}
	select {
	case w := <-idleWorkers:
		w.jobs <- func() { run(w) }
	default:
		go func() {
			w := &worker{gid: goid(), jobs: make(chan func(), 1), slot: takeCallSlot()}
			workersByID.Store(w.gid, w)
			defer workersByID.Delete(w.gid)
			run(w)
			for {
				select {
				case idleWorkers <- w:
				default:
					return // enough idle workers
				}
				(<-w.jobs)()
			}
		}()
	}
}

// runLogs is where a log record written on the current goroutine goes, if
// it is a worker in a run.
func runLogs() *callLogs {
	if w, ok := workersByID.Load(goid()); ok {
		return w.(*worker).current.Load()
	}
	return nil
}

type handOffResult int

const (
	handedOff handOffResult = iota
	idInUse
	tooManyStuck
)

// handOff runs job on a worker; its result is parked under id and id is
// queued as completed when it ends (dropped if abandoned by then). It
// refuses an id that is still parked, and any run while too many abandoned
// ones are still running. With hold, the job waits for startHeld (the
// gateway starts the runs of one turn of its event loop together).
func handOff(id uint32, logs *callLogs, hold bool, job func(*callSlot) (int32, []byte)) handOffResult {
	parkedMu.Lock()
	if _, busy := parked[id]; busy {
		parkedMu.Unlock()
		return idInUse
	}
	if abandonedRunning >= maxAbandonedRunning {
		parkedMu.Unlock()
		return tooManyStuck
	}
	pc := &parkedCall{}
	parked[id] = pc
	parkedMu.Unlock()
	run := func(slot *callSlot) {
		st, fr := job(slot)
		parkedMu.Lock()
		if pc.abandoned {
			delete(parked, id)
			abandonedRunning--
			parkedMu.Unlock()
			releaseFrame(fr)
			return
		}
		pc.done, pc.status, pc.frame = true, st, fr
		parkedMu.Unlock()
		complete(id)
	}
	if hold {
		heldMu.Lock()
		held = append(held, heldJob{logs, run})
		heldMu.Unlock()
	} else {
		dispatch(logs, run)
	}
	return handedOff
}

// Runs accepted but not started: the calling thread starts them together
// (startHeld), because handing a job to an idle worker wakes a thread, a
// system call that on this kind of machine costs more than the rest of the
// hand-off; a batch wakes one and the others are found by the woken ones.
type heldJob struct {
	logs *callLogs
	job  func(*callSlot)
}

var (
	heldMu sync.Mutex
	held   []heldJob
)

// startHeld dispatches the held runs, in the order they were accepted, and
// says how many.
func startHeld() int {
	heldMu.Lock()
	jobs := held
	held = nil
	heldMu.Unlock()
	for _, j := range jobs {
		dispatch(j.logs, j.job)
	}
	return len(jobs)
}

// abandon gives up on a handed-off run: its result is dropped now or when
// it ends. False when no run or result is parked under id.
func abandon(id uint32) bool {
	parkedMu.Lock()
	defer parkedMu.Unlock()
	pc, ok := parked[id]
	switch {
	case !ok:
		return false
	case pc.done:
		delete(parked, id)
	case !pc.abandoned:
		pc.abandoned = true
		abandonedRunning++
	}
	return true
}
