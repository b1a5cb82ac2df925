package zohofake

import "errors"

// ErrConfig is returned by New for an invalid option.
var ErrConfig = errors.New("zohofake: invalid configuration")
