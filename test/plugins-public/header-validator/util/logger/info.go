package logger

import "github.com/TykTechnologies/tyk/log"

var entry = log.Get().WithField("prefix", "plugin-dev")

func Info(msg string) { entry.Info(msg) }
