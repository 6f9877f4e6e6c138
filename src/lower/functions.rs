//! The built-in functions: `secret`, `env`, `file`, `cidrhost`,
//! `cidrsubnet`. A failing call is an E0206 at the call.

use super::eval::{as_cidr, Sv, Value};
use super::Cx;
use crate::diag::{codes, did_you_mean, Diagnostic};
use crate::ir::value::{ip_add, Cidr};
use crate::span::Span;
use crate::syntax::ast::Literal;

const FUNCTIONS: &[&str] = &["secret", "env", "file", "cidrhost", "cidrsubnet"];

pub fn call(name: &str, name_span: Span, span: Span, args: Vec<Sv>, cx: &mut Cx) -> Value {
    if args.iter().any(|a| a.value == Value::Invalid) {
        return Value::Invalid;
    }
    let result = match name {
        "secret" => secret(&args, span, cx),
        "env" => env(&args, span),
        "file" => file(&args, span, cx),
        "cidrhost" => cidrhost(&args, span, cx),
        "cidrsubnet" => cidrsubnet(&args, span, cx),
        _ => {
            let mut d = Diagnostic::new(
                &codes::UNKNOWN_NAME,
                name_span,
                format!("unknown function `{name}`"),
            )
            .label("not a built-in function")
            .note(format!("the functions are {}", FUNCTIONS.join(", ")));
            if let Some(h) = did_you_mean(name, FUNCTIONS.iter().copied()) {
                d = d.help(h);
            }
            Err(d)
        }
    };
    result.unwrap_or_else(|d| {
        cx.push(d);
        Value::Invalid
    })
}

type CallResult = Result<Value, Diagnostic>;

fn arity(args: &[Sv], n: usize, sig: &str, span: Span) -> Result<(), Diagnostic> {
    if args.len() == n {
        return Ok(());
    }
    Err(Diagnostic::new(
        &codes::TYPE_MISMATCH,
        span,
        format!("`{sig}` takes {n} argument(s), found {}", args.len()),
    )
    .label("wrong number of arguments"))
}

fn string_arg<'a>(arg: &'a Sv, what: &str) -> Result<&'a str, Diagnostic> {
    match &arg.value {
        Value::Str(s) => Ok(s),
        other => Err(Diagnostic::new(
            &codes::TYPE_MISMATCH,
            arg.span,
            format!("expected {what} (a string), found {}", other.kind_name()),
        )
        .label("expected a string")),
    }
}

fn int_arg(arg: &Sv, what: &str) -> Result<u64, Diagnostic> {
    match &arg.value {
        Value::Int(n) => Ok(*n),
        other => Err(Diagnostic::new(
            &codes::TYPE_MISMATCH,
            arg.span,
            format!("expected {what} (an integer), found {}", other.kind_name()),
        )
        .label("expected an integer")),
    }
}

fn cidr_arg(arg: &Sv, cx: &Cx) -> Result<Cidr, Diagnostic> {
    as_cidr(arg, cx).ok_or_else(|| {
        Diagnostic::new(
            &codes::TYPE_MISMATCH,
            arg.span,
            format!(
                "expected a CIDR or a network, found {}",
                arg.value.kind_name()
            ),
        )
        .label("expected `10.0.0.0/24` or `network.NAME`")
    })
}

fn secret(args: &[Sv], span: Span, cx: &mut Cx) -> CallResult {
    arity(args, 1, "secret(NAME)", span)?;
    let name = string_arg(&args[0], "the secret's name")?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Diagnostic::new(&codes::FUNCTION, args[0].span, format!("`{name}` is not a valid secret name"))
            .label("letters, digits and `_` only")
            .help("secret names become environment variables and Terraform variables, e.g. `PROXMOX_API_TOKEN`"));
    }
    cx.secrets.insert(name.to_string());
    Ok(Value::Secret(name.to_string()))
}

fn env(args: &[Sv], span: Span) -> CallResult {
    arity(args, 1, "env(NAME)", span)?;
    let name = string_arg(&args[0], "the variable's name")?;
    std::env::var(name).map(Value::Str).map_err(|_| {
        Diagnostic::new(&codes::FUNCTION, span, format!("environment variable `{name}` is not set"))
            .label("read at compile time")
            .help(format!("set it (`export {name}=…`) before running stackc, or use `secret(\"{name}\")` for a value supplied at apply time"))
    })
}

fn file(args: &[Sv], span: Span, cx: &mut Cx) -> CallResult {
    arity(args, 1, "file(PATH)", span)?;
    let rel = string_arg(&args[0], "a path")?;
    let path = cx.resolve_path(span.file, rel).map_err(|why| {
        Diagnostic::new(
            &codes::FUNCTION,
            args[0].span,
            format!("cannot read `{rel}`"),
        )
        .label(why)
    })?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::new(
            &codes::FUNCTION,
            args[0].span,
            format!("cannot read `{rel}`: {e}"),
        )
        .label(format!("resolved to {}", path.display()))
        .help("paths in `file()` are relative to the file that calls it")
    })?;
    // A key file ends with a newline that no consumer wants.
    Ok(Value::Str(text.trim_end_matches(['\n', '\r']).to_string()))
}

fn cidrhost(args: &[Sv], span: Span, cx: &mut Cx) -> CallResult {
    arity(args, 2, "cidrhost(CIDR, N)", span)?;
    let net = cidr_arg(&args[0], cx)?;
    let n = int_arg(&args[1], "the host number")?;
    let size: u128 = 1u128
        .checked_shl(u32::from(net.max_prefix_len() - net.prefix_len()))
        .unwrap_or(u128::MAX);
    match ip_add(net.network(), u128::from(n)) {
        Some(ip) if u128::from(n) < size => Ok(Value::Lit(Literal::Ip(ip))),
        _ => Err(Diagnostic::new(
            &codes::FUNCTION,
            args[1].span,
            format!("host {n} is outside `{net}`"),
        )
        .label(format!("`{net}` has {size} addresses"))
        .help(format!("use a number below {size}"))),
    }
}

fn cidrsubnet(args: &[Sv], span: Span, cx: &mut Cx) -> CallResult {
    arity(args, 3, "cidrsubnet(CIDR, NEWBITS, NETNUM)", span)?;
    let net = cidr_arg(&args[0], cx)?;
    let bits = int_arg(&args[1], "the added prefix bits")?;
    let num = int_arg(&args[2], "the subnet number")?;
    let new_len = u64::from(net.prefix_len()) + bits;
    if new_len > u64::from(net.max_prefix_len()) {
        return Err(Diagnostic::new(
            &codes::FUNCTION,
            args[1].span,
            format!("`{net}` cannot be split by {bits} more bits"),
        )
        .label(format!("the prefix would be /{new_len}")));
    }
    let new_len = new_len as u8;
    let count: u128 = 1u128.checked_shl(bits as u32).unwrap_or(u128::MAX);
    let step: u128 = 1u128
        .checked_shl(u32::from(net.max_prefix_len() - new_len))
        .unwrap_or(0);
    let addr = (u128::from(num) < count)
        .then(|| ip_add(net.network(), u128::from(num) * step))
        .flatten();
    match addr.and_then(|a| Cidr::new(a, new_len).ok()) {
        Some(c) => Ok(Value::Lit(Literal::Cidr(c))),
        None => Err(Diagnostic::new(
            &codes::FUNCTION,
            args[2].span,
            format!("subnet {num} does not exist in `{net}` split by {bits} bits"),
        )
        .label(format!("there are {count} such subnets"))),
    }
}
