package controller

// IsActive reports whether this node is the active controller right now
// (Kafka's ActiveControllerCount is 1 on it and 0 on every other node).
func (c *Controller) IsActive() bool {
	c.readyMu.Lock()
	ch := c.readyCh
	c.readyMu.Unlock()
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
