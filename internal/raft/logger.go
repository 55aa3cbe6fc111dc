package raft

import (
	"fmt"
	"log/slog"
	"os"
)

// slogRaftLogger adapts slog to etcd raft's Logger.
type slogRaftLogger struct{ l *slog.Logger }

func (s *slogRaftLogger) Debug(v ...any)              { s.l.Debug(fmt.Sprint(v...)) }
func (s *slogRaftLogger) Debugf(f string, v ...any)   { s.l.Debug(fmt.Sprintf(f, v...)) }
func (s *slogRaftLogger) Info(v ...any)               { s.l.Debug(fmt.Sprint(v...)) }
func (s *slogRaftLogger) Infof(f string, v ...any)    { s.l.Debug(fmt.Sprintf(f, v...)) }
func (s *slogRaftLogger) Warning(v ...any)            { s.l.Warn(fmt.Sprint(v...)) }
func (s *slogRaftLogger) Warningf(f string, v ...any) { s.l.Warn(fmt.Sprintf(f, v...)) }
func (s *slogRaftLogger) Error(v ...any)              { s.l.Error(fmt.Sprint(v...)) }
func (s *slogRaftLogger) Errorf(f string, v ...any)   { s.l.Error(fmt.Sprintf(f, v...)) }
func (s *slogRaftLogger) Fatal(v ...any)              { s.l.Error(fmt.Sprint(v...)); os.Exit(1) }
func (s *slogRaftLogger) Fatalf(f string, v ...any)   { s.l.Error(fmt.Sprintf(f, v...)); os.Exit(1) }
func (s *slogRaftLogger) Panic(v ...any)              { panic(fmt.Sprint(v...)) }
func (s *slogRaftLogger) Panicf(f string, v ...any)   { panic(fmt.Sprintf(f, v...)) }
