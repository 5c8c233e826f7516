// Command runc-shim stands in front of the real runc on hosts whose capability bounding set lacks
// CAP_SYS_RESOURCE (some VM sandboxes). There runc fails to start any container whose spec asks for
// that capability (every privileged container) or for a negative oom_score_adj (which only
// CAP_SYS_RESOURCE may set). The shim drops the capability from the spec and raises negative
// oom_score_adj to 0, then execs the real runc with the same arguments. Where the capability is
// present it changes nothing.
//
// The real runc is looked up as "<this binary>.real", then $WC_REAL_RUNC, then runc on the usual paths.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

const capSysResource = 24

func main() {
	real, err := realRunc()
	if err != nil {
		fmt.Fprintln(os.Stderr, "runc-shim:", err)
		os.Exit(127)
	}
	if !hasCapability(capSysResource) {
		if err := adaptSpecs(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "runc-shim:", err)
			os.Exit(1)
		}
	}
	if err := syscall.Exec(real, append([]string{real}, os.Args[1:]...), os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "runc-shim: exec", real+":", err)
		os.Exit(127)
	}
}

func realRunc() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	candidates := []string{self + ".real", os.Getenv("WC_REAL_RUNC"), "/usr/local/sbin/runc", "/usr/sbin/runc", "/usr/bin/runc"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if resolved, err := filepath.EvalSymlinks(c); err == nil && resolved != mustEval(self) {
			return c, nil
		}
	}
	return "", fmt.Errorf("no real runc found (tried %s)", strings.Join(candidates, ", "))
}

func mustEval(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// hasCapability reads the bounding set: a capability missing there can never be granted to a child.
func hasCapability(bit uint) bool {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(status), "\n") {
		if hex, ok := strings.CutPrefix(line, "CapBnd:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
			return err != nil || mask&(1<<bit) != 0
		}
	}
	return true
}

// adaptSpecs finds the OCI documents runc is about to read: the bundle's config.json for
// create/run, the --process file for exec.
func adaptSpecs(args []string) error {
	cmd, bundle, process := "", "", ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() string {
			if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "-") {
				return v
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--bundle" || a == "-b" || strings.HasPrefix(a, "--bundle="):
			bundle = value()
		case a == "--process" || a == "-p" || strings.HasPrefix(a, "--process="):
			process = value()
		case a == "--root" || a == "--log" || a == "--log-format" || a == "--criu" || a == "--rootless":
			i++ // global options with a value, before the subcommand
		case cmd == "" && !strings.HasPrefix(a, "-"):
			cmd = a
		}
	}
	switch cmd {
	case "create", "run":
		if bundle == "" {
			bundle = "."
		}
		return rewrite(filepath.Join(bundle, "config.json"), func(doc map[string]any) {
			if p, ok := doc["process"].(map[string]any); ok {
				adaptProcess(p)
			}
		})
	case "exec":
		if process != "" {
			return rewrite(process, adaptProcess)
		}
	}
	return nil
}

func adaptProcess(p map[string]any) {
	if caps, ok := p["capabilities"].(map[string]any); ok {
		for set, list := range caps {
			if names, ok := list.([]any); ok {
				kept := names[:0]
				for _, n := range names {
					if n != "CAP_SYS_RESOURCE" {
						kept = append(kept, n)
					}
				}
				caps[set] = kept
			}
		}
	}
	if adj, ok := p["oomScoreAdj"].(json.Number); ok && strings.HasPrefix(adj.String(), "-") {
		p["oomScoreAdj"] = json.Number("0")
	}
}

func rewrite(path string, edit func(map[string]any)) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep 64-bit limits exact
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}
