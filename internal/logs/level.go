package logs

// numericLevel names the numeric levels of pino and bunyan (10 trace,
// 20 debug, 30 info, 40 warn, 50 error, 60 fatal), so that level:=error
// finds a Node.js app's errors whatever logger wrote them. Any other
// value is kept as it is.
func numericLevel(v string) string {
	if len(v) != 2 || v[1] != '0' {
		return v
	}
	switch v[0] {
	case '1':
		return "trace"
	case '2':
		return "debug"
	case '3':
		return "info"
	case '4':
		return "warn"
	case '5':
		return "error"
	case '6':
		return "fatal"
	}
	return v
}
