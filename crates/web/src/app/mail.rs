//! E-mail for inbox notices: a small SMTP client (plain SMTP to the province's relay, as mail
//! servers inside government networks are usually reached; no TLS, no AUTH yet) and the delivery
//! loop that sends every notice not yet e-mailed to users who have an address. Notices are
//! written by the workflow in its own transactions; e-mail follows from that outbox, so a mail
//! server that is down delays mail and loses nothing. Tests talk to a fake SMTP server over a
//! real socket (`crates/testkit/tests/web.rs`).

use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    /// The sender address, e.g. `cchc@sonla.gov.vn`.
    pub from: String,
}

/// "=?UTF-8?B?…?=" for a header with Vietnamese text.
fn encode_header(s: &str) -> String {
    if s.is_ascii() { s.to_string() } else { format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(s)) }
}

impl Smtp {
    /// Send one plain-text message (UTF-8). Errors say which step the server refused.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        if [to, &self.from].iter().any(|a| a.contains(['\r', '\n', '<', '>']) || !a.contains('@')) {
            return Err(format!("not an e-mail address: {to}"));
        }
        let stream = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect((self.host.as_str(), self.port)))
            .await
            .map_err(|_| "connection timed out".to_string())?
            .map_err(|e| format!("connect: {e}"))?;
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        async fn send(w: &mut tokio::net::tcp::OwnedWriteHalf, s: String) -> Result<(), String> {
            w.write_all(s.as_bytes()).await.map_err(|e| e.to_string())
        }
        async fn reply(r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, want: &[&str], step: &str) -> Result<(), String> {
            loop {
                let mut line = String::new();
                let n = tokio::time::timeout(Duration::from_secs(30), r.read_line(&mut line))
                    .await
                    .map_err(|_| format!("{step}: no answer"))?
                    .map_err(|e| format!("{step}: {e}"))?;
                if n == 0 {
                    return Err(format!("{step}: connection closed"));
                }
                // multi-line replies: "250-…" continues, "250 …" ends
                if line.len() >= 4 && &line[3..4] == "-" {
                    continue;
                }
                return if want.iter().any(|c| line.starts_with(c)) { Ok(()) } else { Err(format!("{step}: {}", line.trim())) };
            }
        }
        reply(&mut r, &["220"], "greeting").await?;
        send(&mut w, "EHLO parindex\r\n".into()).await?;
        reply(&mut r, &["250"], "EHLO").await?;
        send(&mut w, format!("MAIL FROM:<{}>\r\n", self.from)).await?;
        reply(&mut r, &["250"], "MAIL FROM").await?;
        send(&mut w, format!("RCPT TO:<{to}>\r\n")).await?;
        reply(&mut r, &["250", "251"], "RCPT TO").await?;
        send(&mut w, "DATA\r\n".into()).await?;
        reply(&mut r, &["354"], "DATA").await?;
        let mut msg = format!(
            "From: {}\r\nTo: {to}\r\nSubject: {}\r\nDate: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
            self.from,
            encode_header(subject),
            chrono::Utc::now().to_rfc2822()
        );
        for line in body.lines() {
            // dot-stuffing: a line starting with "." gets another
            if line.starts_with('.') {
                msg.push('.');
            }
            msg.push_str(line);
            msg.push_str("\r\n");
        }
        msg.push_str(".\r\n");
        send(&mut w, msg).await?;
        reply(&mut r, &["250"], "message").await?;
        let _ = send(&mut w, "QUIT\r\n".into()).await;
        Ok(())
    }
}

/// Send every notice not yet e-mailed (to users with an address); returns how many were sent.
/// A failure leaves the rest for the next round.
pub async fn deliver(store: &parindex_store::Store, smtp: &Smtp, public_url: Option<&str>) -> Result<usize, String> {
    let pending = store.pending_emails(100).await.map_err(|e| e.to_string())?;
    let mut sent = 0;
    for p in pending {
        let link = match public_url {
            Some(base) => format!("{}{}", base.trim_end_matches('/'), p.link),
            None => p.link.clone(),
        };
        let body = format!("{}\n\n{link}\n\n--\n{}\n{}", p.text.vi, p.text.en, "parindex — Chỉ số CCHC");
        smtp.send(&p.email, "[Chỉ số CCHC] Thông báo mới / new notice", &body).await?;
        store.mark_emailed(p.id).await.map_err(|e| e.to_string())?;
        sent += 1;
    }
    Ok(sent)
}
