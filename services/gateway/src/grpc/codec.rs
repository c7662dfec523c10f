//! A codec whose responses are already encoded. Cached answers are stored as the encoded
//! response message and go out as those bytes: a cache hit never decodes and re-encodes a view.

use std::marker::PhantomData;

use prost::Message;
use prost::bytes::BufMut;
use tonic::Status;
use tonic::codec::{Codec, EncodeBuf, Encoder};
use tonic_prost::ProstDecoder;

use crate::view::Encoded;

/// Decodes requests of type `D` with prost; writes [`Encoded`] responses as they are.
#[derive(Debug)]
pub struct PreEncodedCodec<D>(PhantomData<fn() -> D>);

impl<D> Default for PreEncodedCodec<D> {
    fn default() -> Self {
        PreEncodedCodec(PhantomData)
    }
}

impl<D: Message + Default + Send + 'static> Codec for PreEncodedCodec<D> {
    type Encode = Encoded;
    type Decode = D;
    type Encoder = EncodedWriter;
    type Decoder = ProstDecoder<D>;

    fn encoder(&mut self) -> Self::Encoder {
        EncodedWriter
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder::default()
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct EncodedWriter;

impl Encoder for EncodedWriter {
    type Item = Encoded;
    type Error = Status;

    fn encode(&mut self, item: Encoded, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(item.as_bytes());
        Ok(())
    }
}
