use super::*;
use proptest::prelude::*;
use std::fs;

fn rule(path: &str, name: &str) -> NamingRule {
    NamingRule {
        path: path.into(),
        name: name.into(),
    }
}

fn ctx<'a>(home: &'a Path, rules: &'a [NamingRule]) -> Context<'a> {
    Context {
        home,
        root: home,
        prefix: "thanos-",
        rules,
        host: "box",
    }
}

#[test]
fn sanitize_follows_the_spec() {
    assert_eq!(sanitize("my project", "m"), "my-project");
    assert_eq!(sanitize("a.b:c", "m"), "a-b-c");
    assert_eq!(sanitize("--x", "m"), "x");
    assert_eq!(sanitize("  lead", "m"), "lead");
    assert_eq!(sanitize("$(rm -rf ~)", "m"), "rm--rf-");
    assert_eq!(sanitize("héllo wörld", "m"), "h-llo-w-rld");
    assert_eq!(sanitize("...", "thanos-main"), "thanos-main");
    assert_eq!(sanitize("", "thanos-main"), "thanos-main");
    assert_eq!(sanitize(&"x".repeat(100), "m").len(), MAX_LEN);
}

#[test]
fn typed_names_that_tmux_would_alter_are_refused() {
    for bad in [
        "",
        "-x",
        "a.b",
        "a:b",
        "a\tb",
        "a\nb",
        "\u{7f}",
        "$(x)",
        "a$b",
        "back\\slash",
    ] {
        assert!(check_typed(bad).is_err(), "{bad:?} should be refused");
    }
    for good in [
        "api",
        "my project",
        "a;b",
        "#(x)",
        "=x",
        "héllo",
        "a'b\"c",
        "`x`",
        "a%b",
        "@x",
    ] {
        assert!(check_typed(good).is_ok(), "{good:?} should be accepted");
    }
}

#[test]
fn globs() {
    let home = Path::new("/home/u");
    assert!(glob_matches(
        "~/work/*",
        Path::new("/home/u/work/api"),
        home
    ));
    assert!(!glob_matches(
        "~/work/*",
        Path::new("/home/u/work/api/src"),
        home
    ));
    assert!(glob_matches(
        "~/work/**",
        Path::new("/home/u/work/api/src"),
        home
    ));
    assert!(glob_matches("/srv/**/app", Path::new("/srv/a/b/app"), home));
    assert!(glob_matches("/srv/**/app", Path::new("/srv/app"), home));
    assert!(glob_matches("~", Path::new("/home/u"), home));
    assert!(glob_matches("notes", Path::new("/any/where/notes"), home));
    assert!(glob_matches(
        "/x/pre*suf",
        Path::new("/x/pre-mid-suf"),
        home
    ));
    assert!(!glob_matches("/x/pre*suf", Path::new("/x/presu"), home));
    assert!(glob_matches("/x/*a*b*", Path::new("/x/zzazzbzz"), home));
    assert!(!glob_matches("/x/*", Path::new("/y/z"), home));
}

#[test]
fn picks_main_repo_and_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let repo = home.join("src/my.repo");
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::create_dir_all(repo.join("deep/er")).unwrap();
    let none: [NamingRule; 0] = [];
    let c = ctx(&home, &none);

    let p = pick(&home, &c, |_| None);
    assert_eq!(
        p,
        Pick {
            name: "thanos-main".into(),
            start_dir: home.clone()
        }
    );

    let p = pick(&repo.join("deep/er"), &c, |_| None);
    assert_eq!(
        p,
        Pick {
            name: "my-repo".into(),
            start_dir: repo.clone()
        }
    );

    let rules = [rule("~/src/*", "{host}-{dir}-{parent}-{repo}")];
    let c = ctx(&home, &rules);
    let p = pick(&repo.join("deep"), &c, |_| None);
    assert_eq!(
        p,
        Pick {
            name: "box-my-repo-src-my-repo".into(),
            start_dir: repo.clone()
        }
    );
}

#[test]
fn a_repository_in_home_or_root_renames_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().to_path_buf();
    fs::create_dir_all(home.join(".git")).unwrap();
    fs::create_dir_all(home.join("notes")).unwrap();
    let none: [NamingRule; 0] = [];
    let p = pick(&home.join("notes"), &ctx(&home, &none), |_| None);
    assert_eq!(p.name, "thanos-main");
}

#[test]
fn two_checkouts_with_one_name_never_share() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("h");
    let a = home.join("work/api");
    let b = home.join("play/api");
    for d in [&a, &b] {
        fs::create_dir_all(d.join(".git")).unwrap();
    }
    let none: [NamingRule; 0] = [];
    let c = ctx(&home, &none);
    let (a2, b2) = (a.clone(), b.clone());
    let recorded = |name: &str| match name {
        "api" => Some(a2.clone()),
        "api-play" => Some(PathBuf::from("/elsewhere")),
        "api-play-2" => Some(b2.clone()),
        _ => None,
    };
    assert_eq!(pick(&a, &c, recorded).name, "api");
    assert_eq!(pick(&b, &c, recorded).name, "api-play-2");
    let only_api = |name: &str| (name == "api").then(|| a.clone());
    assert_eq!(pick(&b, &c, only_api).name, "api-play");
}

#[test]
fn many_double_stars_stay_fast() {
    let pattern = format!("/{}x", "**/a/".repeat(12));
    let path = format!("/{}", "a/".repeat(40));
    let start = std::time::Instant::now();
    assert!(!glob_matches(&pattern, Path::new(&path), Path::new("/h")));
    // Exponential backtracking took minutes here; the table answers at once.
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn collision_suffix_stays_within_the_cap() {
    assert_eq!(join_capped(&"x".repeat(64), "parent").len(), MAX_LEN);
}

proptest! {
    #[test]
    fn sanitized_names_are_always_valid_targets(raw in ".{0,200}") {
        let name = sanitize(&raw, "thanos-main");
        prop_assert!(check_typed(&name).is_ok());
        prop_assert!(name.len() <= MAX_LEN);
        prop_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
        prop_assert_eq!(sanitize(&name, "thanos-main"), name.clone());
    }

    #[test]
    fn globs_never_panic(pat in "[~/a-z*]{0,20}", path in "[/a-z]{0,30}") {
        let _ = glob_matches(&pat, Path::new(&path), Path::new("/home/u"));
    }
}
