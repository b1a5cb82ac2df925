package audio

// maxCatchUp bounds how many frames a late pacer releases back to back
// before it gives up on the lost time and starts a new schedule. The pacer
// paces the null device's Capture; it has two implementations,
// pacer_linux.go (a timerfd) and pacer_timer.go (a Go timer).
const maxCatchUp = 5
