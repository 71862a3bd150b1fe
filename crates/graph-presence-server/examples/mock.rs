//! The presence API's mock on 127.0.0.1, answering every operation with Microsoft's documented
//! examples: `cargo run -p graph-presence-server --example mock` (`PORT` picks the port,
//! default any free one). Point the client at the address it prints.

use graph_presence_server::{Mock, ServeSettings, router, serve};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let address = listener.local_addr()?;
    println!("the presence API's mock: http://{address}");
    println!(
        "a client: Client::builder(BearerToken::new(\"any\")).base_url(\"http://{address}\").build()"
    );
    println!("another answer: the header `Prefer: code=404` or `Prefer: example=NAME`");
    serve(listener, router(Mock), ServeSettings::default()).await;
    Ok(())
}
