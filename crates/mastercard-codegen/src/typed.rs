//! The typed client methods, generated from the same spec pipeline as the client: for every
//! operation of the generated `Client`, a method of the same name and parameters on the crate's
//! hand-written client that returns `Result<mastercard_transport::Response<T>, crate::Error>`.
//!
//! Each method opens the call's context (`begin_call`, hand-written in the client crate), runs the
//! generated method with a transport carrying that context, and turns the outcome into the crate's
//! own error in one place (`mastercard_transport::finish`). Users write `client.op(..).await?`; the
//! generated client stays reachable for advanced use.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::CodegenError;

/// Renders the typed methods of `typed_client` (a path such as `crate::MastercomClient`) for
/// every public async method of the generated `Client` in `file`; errors convert into
/// `error_type`.
pub fn typed_methods(
    api: &str,
    file: &syn::File,
    typed_client: &str,
    error_type: &str,
) -> Result<String, CodegenError> {
    let invalid = |message: String| CodegenError::Generation {
        api: api.to_owned(),
        message,
    };
    let client: syn::Type = syn::parse_str(typed_client)
        .map_err(|error| invalid(format!("typed client {typed_client:?}: {error}")))?;
    let error: syn::Type = syn::parse_str(error_type)
        .map_err(|error| invalid(format!("error type {error_type:?}: {error}")))?;

    let mut methods = Vec::new();
    let mut arms = Vec::new();
    let mut table = Vec::new();
    for function in generated_operations(file) {
        methods.push(typed_method(function, &error).map_err(&invalid)?);
        let (arm, entry) = dispatch_arm(function).map_err(&invalid)?;
        arms.push(arm);
        table.push(entry);
    }
    let tokens = quote! {
        // The signatures are progenitor's, lifetimes included, so both stay in step.
        #[allow(clippy::needless_lifetimes)]
        impl #client {
            #(#methods)*
        }

        /// Every typed method the dispatcher can call: its Rust name, its path and query
        /// parameters (Rust names, required first or not: see `required`), and whether it takes
        /// a request body. Generated from the same signatures as the typed methods.
        pub const DISPATCH_TABLE: &[::mastercard_transport::dispatch::Signature] = &[#(#table),*];

        impl #client {
            /// Calls the typed method named `operation` (e.g. `create_chargeback`) with
            /// `arguments` read into its typed parameters and body, and returns the typed answer
            /// as JSON. Generated from the typed methods' signatures, so every operation is
            /// reachable by name (the `mastercard mastercom` command line uses it).
            ///
            /// Errors: `Dispatched::Arguments` when the
            /// arguments do not fit (nothing was sent), else the call's own error.
            pub async fn dispatch_json(
                &self,
                operation: &str,
                arguments: &::mastercard_transport::Arguments,
            ) -> ::std::result::Result<
                ::serde_json::Value,
                ::mastercard_transport::Dispatched<#error>,
            > {
                use ::mastercard_transport::{DispatchError, Dispatched};
                match operation {
                    #(#arms)*
                    other => Err(Dispatched::Arguments(DispatchError::UnknownOperation {
                        operation: other.to_owned(),
                    })),
                }
            }
        }
    };
    let file = syn::parse2(tokens).map_err(|error| invalid(error.to_string()))?;
    Ok(prettyplease::unparse(&file))
}

/// The `pub async fn`s of the generated `impl Client` block (the operations).
fn generated_operations(file: &syn::File) -> impl Iterator<Item = &syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block)
                if block.trait_.is_none()
                    && matches!(&*block.self_ty, syn::Type::Path(path) if path.path.is_ident("Client")) =>
            {
                Some(block)
            }
            _ => None,
        })
        .flat_map(|block| &block.items)
        .filter_map(|member| match member {
            syn::ImplItem::Fn(function)
                if function.sig.asyncness.is_some()
                    && matches!(function.vis, syn::Visibility::Public(_)) =>
            {
                Some(function)
            }
            _ => None,
        })
}

fn typed_method(function: &syn::ImplItemFn, error: &syn::Type) -> Result<TokenStream, String> {
    let name = &function.sig.ident;
    let operation = name.to_string();
    let success = success_type(&function.sig.output)
        .ok_or_else(|| format!("{operation}: unexpected return type"))?;
    let docs = function
        .attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident("doc"));
    let generics = &function.sig.generics;
    let inputs = &function.sig.inputs;
    let arguments = inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => match &*typed.pat {
                syn::Pat::Ident(ident) => Some(Ok(ident.ident.clone())),
                _ => Some(Err(format!("{operation}: a parameter is not a plain name"))),
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect::<Result<Vec<_>, _>>()?;
    let generated = format_ident!("{}", name);
    Ok(quote! {
        #(#docs)*
        ///
        /// Errors: the crate's [`Error`](crate::Error), with `kind()`, `delivery()`, `status()`,
        /// `correlation_id()` and Mastercard's error entries.
        pub async fn #name #generics (#inputs) -> ::std::result::Result<
            ::mastercard_transport::Response<#success>,
            #error,
        > {
            let (call, api) = self.begin_call(#operation);
            let result = api.#generated(#(#arguments),*).await;
            ::mastercard_transport::finish(&call, result).map_err(<#error>::from)
        }
    })
}

/// The dispatcher's match arm for one generated method, and its table entry.
fn dispatch_arm(function: &syn::ImplItemFn) -> Result<(TokenStream, TokenStream), String> {
    let name = &function.sig.ident;
    let operation = name.to_string();
    let mut reads = Vec::new();
    let mut passes = Vec::new();
    let mut parameters = Vec::new();
    let mut required = Vec::new();
    let mut has_body = false;
    for input in &function.sig.inputs {
        let syn::FnArg::Typed(typed) = input else {
            continue;
        };
        let syn::Pat::Ident(ident) = &*typed.pat else {
            return Err(format!("{operation}: a parameter is not a plain name"));
        };
        let variable = &ident.ident;
        let parameter = variable.to_string();
        let (optional, inner) = match last_segment(&typed.ty, "Option") {
            Some(segment) => (
                true,
                generic_arguments(segment)
                    .next()
                    .ok_or_else(|| format!("{operation}: Option without a type"))?,
            ),
            None => (false, &*typed.ty),
        };
        let (by_reference, value_type) = match inner {
            syn::Type::Reference(reference) => (true, &*reference.elem),
            other => (false, other),
        };
        let is_str = matches!(value_type, syn::Type::Path(path) if path.path.is_ident("str"));
        if parameter == "body" && !optional {
            has_body = true;
            reads.push(quote! {
                let #variable: #value_type = arguments.typed_body()?;
            });
        } else {
            parameters.push(parameter.clone());
            required.push(!optional);
            let read = match (is_str, optional) {
                (true, false) => quote! { arguments.text(#parameter)? },
                (true, true) => quote! { arguments.optional_text(#parameter) },
                (false, false) => quote! { arguments.typed::<#value_type>(#parameter)? },
                (false, true) => quote! { arguments.optional_typed::<#value_type>(#parameter)? },
            };
            reads.push(quote! { let #variable = #read; });
        }
        passes.push(match (by_reference && !is_str, optional) {
            (true, false) => quote! { &#variable },
            (true, true) => quote! { #variable.as_ref() },
            (false, _) => quote! { #variable },
        });
    }
    let arm = quote! {
        #operation => {
            #(#reads)*
            let response = self.#name(#(#passes),*).await.map_err(Dispatched::Call)?;
            ::mastercard_transport::dispatch::to_json(&response.into_inner())
                .map_err(Dispatched::Arguments)
        }
    };
    let entry = quote! {
        ::mastercard_transport::dispatch::Signature {
            operation: #operation,
            parameters: &[#(#parameters),*],
            required: &[#(#required),*],
            body: #has_body,
        }
    };
    Ok((arm, entry))
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> Option<&syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = last_segment(ty, "Result")?;
    let ok = generic_arguments(result).next()?;
    let value = last_segment(ok, "ResponseValue")?;
    generic_arguments(value).next()
}

fn last_segment<'t>(ty: &'t syn::Type, name: &str) -> Option<&'t syn::PathSegment> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    path.path
        .segments
        .last()
        .filter(|segment| segment.ident == name)
}

fn generic_arguments(segment: &syn::PathSegment) -> impl Iterator<Item = &syn::Type> {
    let arguments = match &segment.arguments {
        syn::PathArguments::AngleBracketed(arguments) => Some(arguments.args.iter()),
        _ => None,
    };
    arguments
        .into_iter()
        .flatten()
        .filter_map(|argument| match argument {
            syn::GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
}

/// Spec prose such as `[PAN]` reads as a broken intra-doc link to rustdoc: escape brackets that
/// do not open a Markdown link, in every doc attribute of the generated file.
pub fn escape_doc_brackets(file: &mut syn::File) {
    struct Visitor;
    impl syn::visit_mut::VisitMut for Visitor {
        fn visit_attribute_mut(&mut self, attribute: &mut syn::Attribute) {
            if !attribute.path().is_ident("doc") {
                return;
            }
            let syn::Meta::NameValue(pair) = &mut attribute.meta else {
                return;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &mut pair.value
            else {
                return;
            };
            let escaped = escape_brackets(&text.value());
            *text = syn::LitStr::new(&escaped, text.span());
        }
    }
    syn::visit_mut::VisitMut::visit_file_mut(&mut Visitor, file);
}

/// Escapes `[x]` unless it is a Markdown link `[x](…)` or already escaped.
fn escape_brackets(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        if character == '[' && (index == 0 || characters[index - 1] != '\\') {
            let close = characters[index..]
                .iter()
                .position(|&c| c == ']')
                .map(|offset| index + offset);
            let is_link = close.is_some_and(|close| characters.get(close + 1) == Some(&'('));
            if let (Some(close), false) = (close, is_link) {
                out.push_str("\\[");
                out.extend(&characters[index + 1..close]);
                out.push_str("\\]");
                index = close + 1;
                continue;
            }
        }
        out.push(character);
        index += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_typed_method_per_generated_operation() {
        let file: syn::File = syn::parse_str(
            "impl Client {
                 pub fn new_with_client() {}
                 /// Gets a claim.
                 pub async fn get_claim<'a>(&'a self, claim_id: &'a str)
                     -> Result<ResponseValue<types::Claim>, Error<types::Errors>> { todo!() }
             }
             impl ClientHooks for Client { async fn pre() {} }",
        )
        .unwrap();
        let source = typed_methods("x", &file, "crate::Typed", "crate::Error").unwrap();
        assert!(source.contains("impl crate::Typed"), "{source}");
        assert!(source.contains("pub async fn get_claim<'a>("), "{source}");
        assert!(source.contains("claim_id: &'a str"), "{source}");
        assert!(source.contains("::mastercard_transport::Response<types::Claim>"));
        assert!(source.contains("self.begin_call(\"get_claim\")"));
        assert!(source.contains("api.get_claim(claim_id).await"));
        assert!(source.contains("/// Gets a claim."));
        assert!(!source.contains("new_with_client"));
        assert!(!source.contains("fn pre"));
    }

    #[test]
    fn brackets_that_are_not_links_are_escaped() {
        assert_eq!(escape_brackets("the [PAN] of"), "the \\[PAN\\] of");
        assert_eq!(escape_brackets("[a link](x)"), "[a link](x)");
        assert_eq!(escape_brackets("\\[kept\\]"), "\\[kept\\]");
        assert_eq!(escape_brackets("open [ only"), "open [ only");
    }
}
