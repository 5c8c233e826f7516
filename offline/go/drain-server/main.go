// drain-server: the rolling-update check's reference workload, a small HTTP server that stops the way a
// zero-loss rollout needs (docs/rollout.md, "The reference workload"). Standard library only, so the
// offline build compiles it with nothing to download.
//
// On SIGTERM, with --drain=N (N > 0):
//   - /readyz answers 503 at once (the kubelet's probe takes the pod out of new pods' way; the endpoint
//     controller has already removed a terminating pod from the Service);
//   - every other request is still served for N seconds, each answer carrying `Connection: close`, so a
//     keep-alive client closes its connection cleanly after that answer instead of meeting a reset later;
//   - idle keep-alive connections are left alone (closing them at SIGTERM races a request the client may
//     be sending on them at that instant: RFC 9112 §9.3.1's case);
//   - after N seconds, and with --until-quiet=Q only once no request (probes aside) has come for Q, in-flight
//     requests are finished (http.Server.Shutdown) and the process exits 0. A request still arriving means
//     kube-proxy still sends new connections here: on a starved node its rules can lag the endpoint's
//     removal by more than any fixed drain (over 10 s seen on this project's 2-core CI machine), and a server
//     that left then would leave those connections to a vanished address. The grace period bounds the wait.
//
// With --drain=0 it exits 0 at once on SIGTERM, with its connections open: the negative control, the
// way many servers behave by default.
//
// Endpoints: /readyz (ready or 503), /hostname (the pod name: answers are attributed to pods), / (the
// version from WC_VERSION and the pod name).
//
// Flaws, for the audit's proof (tests/audit.test.ts: each flawed variant must fail exactly the checks its flaw
// trips): --ignore-sigterm never acts on SIGTERM (the kubelet kills it when the grace period ends, exit 137);
// --start-delay=D listens only after D (a slow start that a short liveness probe cuts short); with
// --start-delay-marker=FILE only the first start on that volume is slow, as a migration whose finished part a
// restart finds done: it writes FILE as it begins, and a start that finds FILE listens at once;
// --grow-per-request=SIZE keeps SIZE bytes more (written, so they are in its working set) for each request to
// / or /hostname that is not the kubelet's probe (User-Agent kube-probe/...): its memory grows with the load it
// serves, a memory limit below what the load brings ends in an OOM kill, and idle, probed only, it stays small.
// SIZE is bytes, or a number with Ki, Mi or Gi (64Ki, 1Mi); 0, the default, keeps nothing. With --grow-marker=FILE
// only the first start on that volume grows (a cache filled once): the pod is OOM-killed once, not in a crash loop.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	port := flag.Int("port", 8080, "HTTP port")
	drain := flag.Duration("drain", 5*time.Second, "how long to keep serving after SIGTERM (0: exit at once)")
	quiet := flag.Duration("until-quiet", 0, "after the drain, keep serving until no request other than /readyz has come for this long (0: the drain alone)")
	ignoreTerm := flag.Bool("ignore-sigterm", false, "flaw: ignore SIGTERM (killed when the grace period ends)")
	startDelay := flag.Duration("start-delay", 0, "flaw: listen only after this long (a slow start)")
	marker := flag.String("start-delay-marker", "", "with --start-delay: only a start that does not find this file is slow (it writes it)")
	var growth byteSize
	flag.Var(&growth, "grow-per-request", "flaw: keep `SIZE` bytes more for each request to / or /hostname, probes aside (bytes, or with Ki, Mi, Gi; 0: none)")
	growMarker := flag.String("grow-marker", "", "with --grow-per-request: only a start that does not find this file grows (it writes it)")
	flag.Parse()
	if *marker != "" && *startDelay > 0 && !firstOn(*marker) {
		*startDelay = 0
	}
	if *growMarker != "" && growth > 0 && !firstOn(*growMarker) {
		log.Printf("drain-server: %s found, not growing (a restart after the first life)", *growMarker)
		growth = 0
	}

	hostname, _ := os.Hostname()
	version := os.Getenv("WC_VERSION")
	var draining atomic.Bool
	var lastRequest atomic.Int64 // unix nanoseconds of the latest request other than a readiness probe

	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, r *http.Request, body string) {
		lastRequest.Store(time.Now().UnixNano())
		if growth > 0 && !strings.HasPrefix(r.UserAgent(), "kube-probe/") {
			retain(int(growth))
		}
		if draining.Load() {
			// Go's server closes the connection after writing an answer that carries this header.
			w.Header().Set("Connection", "close")
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Version", version)
		fmt.Fprint(w, body)
	}
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if draining.Load() {
			w.Header().Set("Connection", "close")
			http.Error(w, "draining", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/hostname", func(w http.ResponseWriter, r *http.Request) { answer(w, r, hostname) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { answer(w, r, version+" "+hostname+"\n") })

	srv := &http.Server{Addr: fmt.Sprintf(":%d", *port), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	// Idle connections stay open as long as a client keeps them (the client decides, as in production).
	srv.IdleTimeout = 0

	if growth > 0 {
		log.Printf("drain-server %s: keeping %d bytes more per request (flaw)", version, growth)
	}
	if *ignoreTerm {
		signal.Ignore(syscall.SIGTERM)
		log.Printf("drain-server %s: ignoring SIGTERM (flaw)", version)
		time.Sleep(*startDelay)
		log.Fatal(srv.ListenAndServe())
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		if *drain <= 0 {
			log.Printf("SIGTERM: no drain, exiting at once")
			os.Exit(0)
		}
		draining.Store(true)
		start := time.Now()
		log.Printf("SIGTERM: draining for %s, then until no request for %s (readiness 503, answers with Connection: close)", *drain, *quiet)
		time.Sleep(*drain)
		// Quiet is counted from the latest request, or from the SIGTERM when none came since.
		sinceRequest := func() time.Duration {
			last := time.Unix(0, lastRequest.Load())
			if last.Before(start) {
				last = start
			}
			return time.Since(last)
		}
		for *quiet > 0 {
			idle := sinceRequest()
			if idle >= *quiet {
				break
			}
			time.Sleep(*quiet - idle)
		}
		log.Printf("drained for %s, no request for the last %s", time.Since(start).Round(time.Millisecond), sinceRequest().Round(time.Millisecond))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		log.Printf("drained, exiting")
		os.Exit(0)
	}()

	// Signals are handled from here on: a slow starter still drains (or exits) on SIGTERM while it waits.
	if *startDelay > 0 {
		log.Printf("drain-server %s: starting in %s (flaw)", version, *startDelay)
		time.Sleep(*startDelay)
	}
	log.Printf("drain-server %s on :%d, drain %s", version, *port, *drain)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
	select {} // Shutdown returned ListenAndServe early; the signal goroutine exits the process.
}

// firstOn says whether this is the first start to find no marker FILE on its volume, and writes it: a restart of the
// container (the same pod's volume) finds it.
func firstOn(file string) bool {
	if _, err := os.Stat(file); err == nil {
		return false
	}
	if err := os.WriteFile(file, []byte("started\n"), 0o644); err != nil {
		log.Fatalf("writing %s: %v", file, err)
	}
	return true
}

// What --grow-per-request keeps: never released, so the heap only grows.
var (
	retainedMu sync.Mutex
	retained   [][]byte
)

// retain keeps n bytes more, one byte written on each page: fresh memory from the kernel is untouched, and only
// pages written count in the resident set, and so against the container's memory limit.
func retain(n int) {
	b := make([]byte, n)
	for i := 0; i < n; i += os.Getpagesize() {
		b[i] = 1
	}
	retainedMu.Lock()
	retained = append(retained, b)
	retainedMu.Unlock()
}

// byteSize is a flag's size in bytes, given as bytes or with a binary suffix, as Kubernetes quantities: 64Ki, 1Mi.
type byteSize int64

func (s *byteSize) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *byteSize) Set(v string) error {
	units := map[string]int64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}
	mult, num := int64(1), v
	if len(v) > 2 {
		if m, ok := units[v[len(v)-2:]]; ok {
			mult, num = m, v[:len(v)-2]
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return fmt.Errorf("%q is no size: bytes, or a whole number with Ki, Mi or Gi (64Ki, 1Mi)", v)
	}
	*s = byteSize(n * mult)
	return nil
}
