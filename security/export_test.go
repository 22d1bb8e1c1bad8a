package security

// SetTestHookWaiting makes f run each time a request starts waiting for a
// refresh that another request is making; nil removes it. Tests that use
// it must not run in parallel with other Bearer tests.
func SetTestHookWaiting(f func()) { testHookWaiting = f }
