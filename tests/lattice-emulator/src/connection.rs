//! A TCP listener whose connections a request can close without answering
//! (the dropped-connection fault).
//!
//! Each accepted connection carries a shared "closed" flag; the request
//! reaches it through `ConnectInfo<Connection>`. Once the flag is set, every
//! read and write of the connection fails, so the server abandons it before
//! writing a byte of the response and the socket is closed.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// One accepted connection, as its requests see it.
#[derive(Debug, Clone)]
pub struct Connection {
    closed: Arc<AtomicBool>,
}

impl Connection {
    /// Closes the connection: nothing more is read or written on it.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, DroppableListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, DroppableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A [`TcpListener`] whose connections can be closed by their requests.
#[derive(Debug)]
pub struct DroppableListener(pub TcpListener);

impl Listener for DroppableListener {
    type Io = DroppableStream;
    type Addr = Connection;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, _remote) = Listener::accept(&mut self.0).await;
        let closed = Arc::new(AtomicBool::new(false));
        let io = DroppableStream {
            stream,
            closed: Arc::clone(&closed),
        };
        (io, Connection { closed })
    }

    /// A connection that is never closed (the trait wants an address).
    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()?;
        Ok(Connection {
            closed: Arc::default(),
        })
    }
}

/// A [`TcpStream`] that fails every read and write once closed.
#[derive(Debug)]
pub struct DroppableStream {
    stream: TcpStream,
    closed: Arc<AtomicBool>,
}

impl DroppableStream {
    fn check(&self) -> io::Result<()> {
        if self.closed.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection dropped by fault injection",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.get_mut().stream).poll_read(context, buffer)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.get_mut().stream).poll_write(context, buffer)
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.get_mut().stream).poll_flush(context)
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(context)
    }
}
