package agent

import "sort"

// Running returns the namespaces with a running agent, sorted. The tests of
// package agent_test ask it; nothing in the agent needs it.
func (r *Runner) Running() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for ns, m := range r.agents {
		if !m.exited.Load() {
			out = append(out, ns)
		}
	}
	sort.Strings(out)
	return out
}
