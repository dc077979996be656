with

committee_members as (

    select * from {{ ref('stg_submissions__committee_members') }}

),

terms as (

    select * from {{ ref('stg_reference__terms') }}

),

cadres as (

    select * from {{ ref('dim_cadres') }}

),

levels as (

    select * from {{ ref('int_levels_historised') }}

),

-- Each member with their professional level as of the term's start_date.
members as (

    select
        committee_members.unit_code,
        committee_members.committee_level,
        committee_members.term_code,
        committee_members.person_key,
        cadres.gender,
        coalesce(levels.professional_rank, 0) as professional_rank
    from committee_members
    inner join terms
        on committee_members.term_code = terms.term_code
    left join cadres
        on committee_members.person_key = cadres.person_key
    left join levels
        on committee_members.person_key = levels.person_key
            and {{ levels_valid_on('levels', 'terms.start_date') }}

),

committee_counts as (

    select
        unit_code,
        committee_level,
        term_code,
        count(distinct person_key) as members,
        sum(case when professional_rank >= 3 then 1 else 0 end) as university_plus_count,
        count(gender) as known_gender_count,
        sum(case when gender = 'nu' then 1 else 0 end) as women_count
    from members
    group by
        unit_code,
        committee_level,
        term_code

),

final as (

    select
        unit_code,
        committee_level,
        term_code,
        cast(members as bigint) as members,
        cast(women_count as double) / nullif(known_gender_count, 0) as share_women,
        cast(university_plus_count as double) / nullif(members, 0) as share_university_plus
    from committee_counts

)

select * from final
