//! Prints, as tab-separated `name\tseconds_per_GiB` lines and then
//! `cores\tN`, what each piece of required work costs on this machine (see
//! `custos_core::floor`). `make bench` reads it.

fn main() -> custos_core::Result<()> {
    for (name, secs) in custos_core::floor::per_gib()? {
        println!("{name}\t{secs:.3}");
    }
    println!("cores\t{}", std::thread::available_parallelism().map_or(1, |n| n.get()));
    Ok(())
}
