# Sourced by bench/http.sh and bench/http2.sh: free ports and the nginx both run, serving the static upstream (what
# the demo's billing API answers for GET /v1/invoices) and the reverse proxies in front of it.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# The nginx reverse proxy's route: the same prefix stripping as Airlock's billing connection, keep-alive upstream.
NGINX_PROXY='location /billing/ { proxy_pass http://billing/; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr; proxy_set_header X-Request-Id $request_id; }'

# nginx_conf DIR UPSTREAM_PORT SERVERS: writes DIR/nginx/nginx.conf with the static upstream on UPSTREAM_PORT (as the
# `billing` upstream group, keepalive 64) and the server blocks SERVERS.
nginx_conf() {
  local dir=$1 up=$2 servers=$3
  local body='[{"id":1,"customer":"Ada Lovelace","total":120.0,"status":"open"},{"id":2,"customer":"Grace Hopper","total":75.5,"status":"paid"}]'
  mkdir -p "$dir/nginx/logs"
  cat > "$dir/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  upstream billing { server 127.0.0.1:$up; keepalive 64; }
  server { listen 127.0.0.1:$up; location / { default_type application/json; return 200 '$body'; } }
$servers
}
CONF
}
