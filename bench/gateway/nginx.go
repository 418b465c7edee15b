package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// startNginx runs nginx with the ModSecurity module and the Debian CRS
// (engine On, paranoia level 1, request bodies inspected, response bodies
// not), as the peer: the Debian packages nginx, libnginx-mod-http-modsecurity
// and modsecurity-crs.
func startNginx(dir, upstream string) (addr string, stop func(), err error) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		return "", nil, fmt.Errorf("nginx not installed (apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs)")
	}
	const module = "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so"
	const crsSetup = "/etc/modsecurity/crs/crs-setup.conf"
	const crsRules = "/usr/share/modsecurity-crs/rules"
	for _, p := range []string{module, crsSetup, crsRules} {
		if _, err := os.Stat(p); err != nil {
			return "", nil, fmt.Errorf("%s missing: %v", p, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr = ln.Addr().String()
	ln.Close()
	modsec := fmt.Sprintf(`SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 1048576
SecRequestBodyLimitAction Reject
SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.'"
SecResponseBodyAccess Off
SecAuditEngine Off
SecTmpDir %[1]s
SecDataDir %[1]s
Include %[2]s
Include %[3]s/*.conf
`, dir, crsSetup, crsRules)
	if err := os.WriteFile(filepath.Join(dir, "modsec.conf"), []byte(modsec), 0o644); err != nil {
		return "", nil, err
	}
	conf := fmt.Sprintf(`load_module %s;
worker_processes auto;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 1024; }
http {
  access_log %[2]s/access.log;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  client_max_body_size 1m;
  upstream app { server %[3]s; keepalive 64; }
  server {
    listen %[4]s;
    modsecurity on;
    modsecurity_rules_file %[2]s/modsec.conf;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`, module, dir, upstream, addr)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return "", nil, err
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", confPath, "-g", "daemon off;")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	// SIGTERM, not Kill: the master then stops its workers, which a
	// killed master would leave running.
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("nginx did not listen on %s in 10s (see %s/error.log)", addr, dir)
}
